"""Perceptual losses: frozen VGG features, feature/style (Gram) losses, total variation.

Public for plugins (fast style transfer, SRGAN). Everything here uses ``keras.ops`` only,
so it runs on the TensorFlow and JAX backends, and computes in float32 whatever the
mixed-precision policy.

* :class:`VGGFeatures` -- a frozen VGG16/VGG19 (``keras.applications``, no top) that maps
  cgtk images (float, [-1, 1], RGB) to the feature maps of the requested layers.
  Layers are named the Johnson et al. way (``relu3_3``) or the Keras way
  (``block3_conv3``); Keras convolutions have the ReLU fused, so ``reluB_C`` is
  ``blockB_convC``. A name ending in ``_pre`` (``conv5_4_pre``, ``block5_conv4_pre``)
  is that convolution's output *before* its ReLU (ESRGAN's ``conv5_4``; or pass
  ``before_relu=True``). The sub-model stops at the deepest requested layer.
* :func:`feature_loss` -- Johnson's feature reconstruction loss (MSE of feature maps).
* :func:`feature_l1_loss` -- the L1 of feature maps (BasicSR's ``PerceptualLoss``, ESRGAN).
* :func:`gram_matrix`, :func:`style_loss` -- Johnson's style reconstruction loss.
* :func:`total_variation` -- TV regulariser.
* :func:`srgan_vgg`, :func:`srgan_content_loss` -- SRGAN's VGG54 loss with the 1/12.75 rescale.

Example (random weights, for illustration only):

>>> import warnings, numpy as np
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     vgg = VGGFeatures("vgg16", ["relu1_2", "relu2_2"], weights=None)
>>> x = np.zeros((1, 32, 32, 3), "float32")
>>> [tuple(f.shape) for f in vgg(x)]
[(1, 32, 32, 64), (1, 16, 16, 128)]
>>> float(feature_loss(vgg(x), vgg(x)))
0.0
"""
from __future__ import annotations

import contextlib
import os
import re
import warnings
from collections.abc import Mapping, Sequence

import keras
from keras import ops

from cgtk.errors import CgtkError
from cgtk.weights import WeightFile, load_weights_into, resolve_weights

#: ImageNet channel means in BGR order, 0-255 ("caffe" preprocessing of keras VGG).
IMAGENET_MEAN_BGR = (103.939, 116.779, 123.68)

#: SRGAN's rescaling of VGG feature maps (Ledig et al. 2017, Sec. 2.2.1).
SRGAN_RESCALE = 1.0 / 12.75

_URL = "https://storage.googleapis.com/tensorflow/keras-applications/{0}/{0}_weights_tf_dim_ordering_tf_kernels_notop.h5"

#: The ImageNet weight files of the VGG nets, without top (as keras.applications names them).
VGG_WEIGHTS = {
    "vgg16": WeightFile(
        key="vgg_weights", env="CGTK_VGG16_WEIGHTS", retired_env="CGTK_VGG_WEIGHTS",
        filename="vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        url=_URL.format("vgg16"), file_hash="6d6bbae143d832006294945121d1f1fc",
        description="VGG16 ImageNet weights", random_value="none"),
    "vgg19": WeightFile(
        key="vgg_weights", env="CGTK_VGG19_WEIGHTS", retired_env="CGTK_VGG_WEIGHTS",
        filename="vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        url=_URL.format("vgg19"), file_hash="253f8cb515780f3b799900260a226db6",
        description="VGG19 ImageNet weights", random_value="none"),
}

_JOHNSON = re.compile(r"^(relu|conv)(\d)_(\d)$")
_POOL = re.compile(r"^pool(\d)$")

#: The suffix of a layer name that asks for a convolution's output before its ReLU.
PRE_ACTIVATION = "_pre"


def vgg_layer_name(name: str) -> str:
    """The Keras layer name for a Johnson-style (``relu3_3``, ``pool2``) or Keras name.

    Keras VGG convolutions include their ReLU, so ``relu3_3`` and ``conv3_3`` both
    mean ``block3_conv3`` (the activation, as in Johnson et al. and SRGAN's phi_5,4).

    >>> vgg_layer_name("relu5_4"), vgg_layer_name("pool2"), vgg_layer_name("block1_conv1")
    ('block5_conv4', 'block2_pool', 'block1_conv1')

    ``_pre`` asks for the convolution before its ReLU (kept in the Keras name):

    >>> vgg_layer_name("conv5_4_pre")
    'block5_conv4_pre'
    """
    if name.endswith(PRE_ACTIVATION):
        return vgg_layer_name(name[: -len(PRE_ACTIVATION)]) + PRE_ACTIVATION
    m = _JOHNSON.match(name)
    if m:
        return f"block{m.group(2)}_conv{m.group(3)}"
    m = _POOL.match(name)
    if m:
        return f"block{m.group(1)}_pool"
    return name


def vgg_preprocess(x):
    """cgtk images ([-1, 1], RGB, NHWC) to what keras VGG expects (caffe mode).

    ``(x + 1) * 127.5`` to 0-255, RGB to BGR, minus :data:`IMAGENET_MEAN_BGR`; float32.

    >>> import numpy as np
    >>> [round(float(v), 3) for v in np.asarray(vgg_preprocess(np.ones((1, 1, 1, 3)))).ravel()]
    [151.061, 138.221, 131.32]
    """
    x = ops.cast(x, "float32")
    x = (x + 1.0) * 127.5
    x = ops.flip(x, axis=-1)
    return x - ops.convert_to_tensor(IMAGENET_MEAN_BGR, dtype="float32")


@contextlib.contextmanager
def float32_policy():
    """Build layers in float32 whatever the global mixed-precision policy."""
    old = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(old)


def _is_random(weights) -> bool:
    return weights is None or (isinstance(weights, str) and weights.lower() in ("none", "random"))


@keras.saving.register_keras_serializable(package="cgtk")
class VGGFeatures(keras.layers.Layer):
    """Frozen VGG16/VGG19 feature maps of cgtk images, for perceptual losses.

    Calling it on images ``[B, H, W, 3]`` in [-1, 1] (RGB) returns a list with one
    float32 feature map per requested layer, in the order requested (times
    ``rescale``). The weights are frozen (``trainable=False``): gradients flow to
    the input, never into VGG.

    Args:
        network: ``"vgg16"`` or ``"vgg19"``.
        layers: layer names, Johnson-style (``relu2_2``) or Keras (``block2_conv2``).
        weights: ``"imagenet"`` (local copy if any -- ``CGTK_VGG16_WEIGHTS`` / ``CGTK_VGG19_WEIGHTS``,
            ``$CGTK_HOME/weights/``, ``~/.keras/models/`` -- else a download; offline
            this raises a one-line CgtkError), a path to a weights file (the
            keras.applications ``..._notop.h5`` or a ``.weights.h5`` saved by Keras;
            loaded with ``load_weights``, never as a full model), or ``None``/"none"
            for random weights (tests only: warns, results are meaningless).
        rescale: multiply every feature map by this (SRGAN: ``1/12.75``).
        before_relu: take every requested convolution before its ReLU, as if each
            name ended in ``_pre`` (ESRGAN / BasicSR's ``PerceptualLoss``). Default
            False: the activation, as before.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     VGGFeatures("vgg19", ["relu5_4"], weights="none").keras_layers
    ['block5_conv4']
    """

    def __init__(self, network: str = "vgg16", layers: Sequence[str] = ("relu3_3",),
                 weights: str | os.PathLike | None = "imagenet", rescale: float = 1.0,
                 before_relu: bool = False, **kwargs):
        kwargs.setdefault("dtype", "float32")
        kwargs["trainable"] = False
        super().__init__(**kwargs)
        network = str(network).lower()
        if network not in VGG_WEIGHTS:
            raise CgtkError(f"unknown VGG network {network!r}", hint="use vgg16 or vgg19")
        if isinstance(layers, str):
            layers = [layers]
        if not layers:
            raise CgtkError("no VGG layers requested", hint="name at least one, e.g. relu3_3")
        self.network = network
        self.layer_names = list(layers)
        self.before_relu = bool(before_relu)
        self.keras_layers = [_pre_if(vgg_layer_name(n), self.before_relu)
                             for n in self.layer_names]
        self.rescale = float(rescale)
        self.weights_source = None if _is_random(weights) else str(weights)

        path = None
        if self.weights_source is not None:
            spec = VGG_WEIGHTS[network]
            local = None if self.weights_source.lower() == "imagenet" else self.weights_source
            path = resolve_weights(spec, local)  # before building: fail fast offline
        else:
            warnings.warn(f"VGGFeatures({network}) uses RANDOM weights: perceptual losses are "
                          "meaningless (for tests only)", UserWarning, stacklevel=2)

        build = getattr(keras.applications, network.upper())
        with float32_policy():
            base = build(include_top=False, weights=None, input_shape=(None, None, 3))
        valid = [la.name for la in base.layers[1:]]
        for given, kname in zip(self.layer_names, self.keras_layers, strict=True):
            plain = kname.removesuffix(PRE_ACTIVATION)
            if plain not in valid or (kname != plain and "conv" not in plain):
                johnson = [re.sub(r"block(\d)_conv(\d)", r"relu\1_\2", v) for v in valid
                           if "conv" in v]
                raise CgtkError(f"{network} has no layer {given!r}",
                                hint="choose from " + ", ".join(johnson + valid))
        if path is not None:
            load_weights_into(base, path, VGG_WEIGHTS[network], network)
        if any(n.endswith(PRE_ACTIVATION) for n in self.keras_layers):
            with float32_policy():
                found = _split_activations(base, set(self.keras_layers))
            outputs = [found[n] for n in self.keras_layers]
        else:
            outputs = [base.get_layer(n).output for n in self.keras_layers]
        # The functional graph keeps only the layers up to the deepest requested one.
        with float32_policy():
            self.model = keras.Model(base.input, outputs, name=f"{network}_features")
        self.model.trainable = False

    def call(self, images):
        feats = self.model(vgg_preprocess(images))
        if not isinstance(feats, (list, tuple)):
            feats = [feats]
        if self.rescale != 1.0:
            feats = [f * self.rescale for f in feats]
        return list(feats)

    def as_dict(self, feats) -> dict:
        """``{requested name: feature map}`` for the list :meth:`call` returns."""
        return dict(zip(self.layer_names, feats, strict=True))

    def compute_output_shape(self, input_shape):
        return [tuple(o.shape) for o in self.model.outputs]

    def get_config(self):
        config = super().get_config()
        config.update(network=self.network, layers=self.layer_names,
                      weights=self.weights_source, rescale=self.rescale,
                      before_relu=self.before_relu)
        return config


def _pre_if(keras_name: str, before_relu: bool) -> str:
    if before_relu and "conv" in keras_name and not keras_name.endswith(PRE_ACTIVATION):
        return keras_name + PRE_ACTIVATION
    return keras_name


def _split_activations(base, wanted: set) -> dict:
    """Re-trace ``base`` (a keras VGG, weights loaded) with every convolution split into a
    linear convolution (same weights) and its ReLU, up to the deepest ``wanted`` name.

    Returns ``{name: symbolic tensor}`` for ``blockB_convC_pre`` (before the ReLU),
    ``blockB_convC`` (after it) and the pooling layers.
    """
    x = base.input
    found = {}
    for layer in base.layers[1:]:
        if wanted.issubset(found):
            break
        if isinstance(layer, keras.layers.Conv2D):
            linear = keras.layers.Conv2D(layer.filters, layer.kernel_size,
                                         strides=layer.strides, padding=layer.padding,
                                         name=layer.name + PRE_ACTIVATION)
            pre = linear(x)
            linear.set_weights(layer.get_weights())
            found[layer.name + PRE_ACTIVATION] = pre
            x = keras.layers.Activation(layer.activation, name=layer.name)(pre)
        else:
            x = layer(x)
        found[layer.name] = x
    return found


# ----------------------------------------------------------------- losses ---

def _pairs(a, b, weights):
    """Align two lists/dicts of tensors and the per-layer weights."""
    if isinstance(a, Mapping):
        keys = list(a)
        a, b = [a[k] for k in keys], [b[k] for k in keys]
        if isinstance(weights, Mapping):
            weights = [weights.get(k, 0.0) for k in keys]
    elif not isinstance(a, (list, tuple)):
        a, b = [a], [b]
    if len(a) != len(b):
        raise ValueError(f"{len(a)} feature maps against {len(b)}")
    if weights is None:
        weights = [1.0] * len(a)
    elif not isinstance(weights, (list, tuple)):
        weights = [float(weights)] * len(a)
    if len(weights) != len(a):
        raise ValueError(f"{len(weights)} weights for {len(a)} layers")
    return list(zip(a, b, weights, strict=True))


def feature_loss(feats_a, feats_b, weights=None):
    """Feature reconstruction loss: sum over layers of ``w_j * mean((a_j - b_j)**2)``.

    Johnson et al. (2016), eq. 2: ``||phi_j(y_hat) - phi_j(y)||^2 / (C_j H_j W_j)``,
    averaged over the batch too. Inputs are lists (or dicts) of feature maps, or one map.

    >>> import numpy as np
    >>> float(feature_loss([np.ones((1, 2, 2, 1))], [np.zeros((1, 2, 2, 1))], weights=[2.0]))
    2.0
    """
    total = 0.0
    for a, b, w in _pairs(feats_a, feats_b, weights):
        d = ops.cast(a, "float32") - ops.cast(b, "float32")
        total = total + w * ops.mean(ops.square(d))
    return total


def feature_l1_loss(feats_a, feats_b, weights=None):
    """The L1 of feature maps: sum over layers of ``w_j * mean(|a_j - b_j|)``.

    BasicSR's ``PerceptualLoss`` with ``criterion: l1`` (ESRGAN, Real-ESRGAN).

    >>> import numpy as np
    >>> float(feature_l1_loss([np.ones((1, 2, 2, 1))], [np.zeros((1, 2, 2, 1))], weights=[0.5]))
    0.5
    """
    total = 0.0
    for a, b, w in _pairs(feats_a, feats_b, weights):
        d = ops.cast(a, "float32") - ops.cast(b, "float32")
        total = total + w * ops.mean(ops.abs(d))
    return total


def gram_matrix(x):
    """Gram matrices ``[B, C, C]`` of feature maps ``[B, H, W, C]``, divided by ``C*H*W``.

    ``G[b, c, d] = sum_{h,w} x[b,h,w,c] x[b,h,w,d] / (C H W)`` (Johnson et al., eq. 3).

    >>> import numpy as np
    >>> np.asarray(gram_matrix(np.ones((1, 2, 2, 2), "float32"))).tolist()
    [[[0.5, 0.5], [0.5, 0.5]]]
    """
    x = ops.cast(x, "float32")
    shape = ops.shape(x)
    c = shape[-1]
    f = ops.reshape(x, (shape[0], -1, c))
    g = ops.matmul(ops.transpose(f, (0, 2, 1)), f)
    return g / ops.cast(shape[1] * shape[2] * c, "float32")


def style_loss(feats, target_grams, weights=None):
    """Style reconstruction loss: ``sum_j w_j * mean_b ||G(feats_j) - target_j||_F^2``.

    Exactly Johnson et al. (2016): per layer the squared Frobenius norm of the Gram
    difference (summed over the ``C x C`` entries, not averaged), averaged over the
    batch, summed over layers with weights ``w_j`` (default 1). ``target_grams`` are
    :func:`gram_matrix` of the style image's features (batch 1 broadcasts).
    Note: many ports (e.g. PyTorch's fast_neural_style example) take the *mean* over
    the ``C x C`` entries instead, so their style weights are ``C^2`` times larger.

    >>> import numpy as np
    >>> f = np.ones((1, 2, 2, 2), "float32")
    >>> float(style_loss([f], [np.zeros((1, 2, 2), "float32")]))
    1.0
    """
    total = 0.0
    for f, g, w in _pairs(feats, target_grams, weights):
        d = gram_matrix(f) - ops.cast(g, "float32")
        total = total + w * ops.mean(ops.sum(ops.square(d), axis=(1, 2)))
    return total


def total_variation(x, kind: str = "squared"):
    """Total variation of images ``[B, H, W, C]``: mean neighbour difference.

    ``kind="squared"`` (default): ``mean((x[:, i+1, j] - x[:, i, j])**2) +
    mean((x[:, i, j+1] - x[:, i, j])**2)`` -- the squared (beta = 2) TV of
    Johnson et al.'s code, averaged instead of summed so its weight does not depend
    on the image size. ``kind="absolute"``: the same with absolute differences
    (anisotropic TV; ``tf.image.total_variation`` is its sum).

    >>> import numpy as np
    >>> x = np.zeros((1, 2, 2, 1), "float32"); x[0, 1, :, 0] = 1.0
    >>> float(total_variation(x)), float(total_variation(x, "absolute"))
    (1.0, 1.0)
    """
    if kind not in ("squared", "absolute"):
        raise ValueError(f"kind must be 'squared' or 'absolute', not {kind!r}")
    x = ops.cast(x, "float32")
    dy = x[:, 1:, :, :] - x[:, :-1, :, :]
    dx = x[:, :, 1:, :] - x[:, :, :-1, :]
    f = ops.square if kind == "squared" else ops.abs
    return ops.mean(f(dy)) + ops.mean(f(dx))


def srgan_vgg(weights: str | os.PathLike | None = "imagenet") -> VGGFeatures:
    """SRGAN's VGG54 extractor: VGG19 ``relu5_4`` (``block5_conv4``) times 1/12.75.

    Ledig et al. (2017) use phi_5,4, the activation of the 4th convolution before the
    5th max-pool, with feature maps rescaled by 1/12.75 (an MSE factor of ~0.006).
    """
    return VGGFeatures("vgg19", ["relu5_4"], weights=weights, rescale=SRGAN_RESCALE)


def srgan_content_loss(vgg: VGGFeatures, sr, hr):
    """SRGAN's VGG content loss: MSE of ``vgg`` features (:func:`srgan_vgg`) of SR and HR."""
    return feature_loss(vgg(sr), vgg(hr))
