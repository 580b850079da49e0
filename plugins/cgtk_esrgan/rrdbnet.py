"""RRDBNet, the ESRGAN generator (Wang et al. 2018), in pure Keras 3.

The structure and the names follow BasicSR's ``basicsr/archs/rrdbnet_arch.py``, so a
reference state dict maps onto the layers one to one (:func:`torch_key`):

* ``conv_first`` (3x3, 3 -> nf);
* ``n_blocks`` Residual-in-Residual Dense Blocks ``body_{i}``, each three Residual
  Dense Blocks ``body_{i}_rdb{j}`` of five 3x3 convs ``..._conv1..5`` (growth ``gc``,
  dense concatenation, LeakyReLU 0.2 after conv1-4), each RDB's output scaled by 0.2
  and added to its input, and the RRDB's output scaled by 0.2 and added to its input;
* ``conv_body`` + the long skip;
* per x2 stage, nearest x2 upsampling then ``conv_up1`` (``conv_up2``) + LeakyReLU
  (x2 has one stage; ``x2_layout="unshuffle"`` is BasicSR's x2 instead: the input is
  pixel-unshuffled by 2 (:class:`PixelUnshuffle`, ``conv_first`` takes 12 channels) and
  both stages follow);
* ``conv_hr`` + LeakyReLU, ``conv_last`` (nf -> 3). No batch norm anywhere.

The network computes on [0, 1] images like the reference (``to_unit`` maps cgtk's
[-1, 1] input, ``from_unit`` maps the output back), so reference weights give the same
pictures. RDB convs are He-normal scaled by 0.1 with zero biases (BasicSR's
``default_init_weights(..., 0.1)``); the other convs use PyTorch's default conv init.

>>> import numpy as np
>>> g = rrdbnet(scale=4, n_blocks=1, n_feats=8, growth=4)
>>> tuple(g(np.zeros((1, 6, 7, 3), "float32")).shape)
(1, 24, 28, 3)
>>> torch_key("body_0_rdb2_conv5", "kernel")
'body.0.rdb2.conv5.weight'
"""
from __future__ import annotations

import math
import re

import keras
from keras import ops

SCALES = (2, 4)
SKIPS = ("none", "bilinear", "bicubic")
#: x2 only: ``stage`` (one nearest x2 + conv stage) or ``unshuffle`` (BasicSR's x2
#: RRDBNet: pixel-unshuffle the input by 2, then x4's two stages).
X2_LAYOUTS = ("stage", "unshuffle")
RDB_CONVS = 5
#: Residual scaling of every dense block and every RRDB (Wang et al. 2018, Sec. 3.1).
RESIDUAL_SCALE = 0.2
#: The factor of BasicSR's ``default_init_weights`` for the dense-block convolutions.
INIT_SCALE = 0.1


def up_stages(scale: int, x2_layout: str = "stage") -> int:
    """Nearest x2 + conv stages for ``scale``: 1 for x2 (2 with ``x2_layout="unshuffle"``),
    2 for x4."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale}")
    if x2_layout not in X2_LAYOUTS:
        raise ValueError(f"x2_layout must be one of {X2_LAYOUTS}, got {x2_layout!r}")
    return 2 if scale == 4 or x2_layout == "unshuffle" else 1


@keras.saving.register_keras_serializable(package="cgtk_esrgan")
class NearestUpsample2x(keras.layers.UpSampling2D):
    """``UpSampling2D(2, interpolation="nearest")`` (channels last) written as a
    broadcast and a reshape: the same values on every backend, and a graph the LiteRT
    converter keeps in builtin ops (Keras' ``UpSampling2D`` becomes a ``tf.repeat``
    after which the next conv needs TensorFlow's Flex delegate).

    >>> import numpy as np
    >>> x = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
    >>> np.asarray(NearestUpsample2x()(x))[0, :, :, 0].tolist()[:2]
    [[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]]
    """

    def __init__(self, size=2, interpolation="nearest", **kwargs):
        if size not in (2, (2, 2), [2, 2]) or interpolation != "nearest":
            raise ValueError("NearestUpsample2x is nearest x2 only")
        kwargs.pop("data_format", None)
        super().__init__(size=2, interpolation="nearest", data_format="channels_last",
                         **kwargs)

    def call(self, x):
        shape = ops.shape(x)
        y = ops.expand_dims(ops.expand_dims(x, 2), 4)            # B, H, 1, W, 1, C
        y = ops.concatenate([y, y], axis=2)
        y = ops.concatenate([y, y], axis=4)                      # B, H, 2, W, 2, C
        return ops.reshape(y, (-1, shape[1] * 2, shape[2] * 2, x.shape[-1]))


@keras.saving.register_keras_serializable(package="cgtk_esrgan")
class PixelUnshuffle(keras.layers.Layer):
    """Space-to-depth by ``factor`` in PyTorch's channel order: output channel
    ``c * r*r + i * r + j`` holds input channel ``c`` at sub-pixel ``(i, j)``, as
    ``torch.nn.functional.pixel_unshuffle`` (so reference ``conv_first`` weights fit
    unpermuted). Height and width must be multiples of ``factor``.

    >>> import numpy as np
    >>> x = np.arange(2 * 2 * 2, dtype="float32").reshape(1, 2, 2, 2)  # C = 2
    >>> np.asarray(PixelUnshuffle(2)(x))[0, 0, 0].tolist()
    [0.0, 2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 7.0]
    """

    def __init__(self, factor: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, x):
        r = self.factor
        shape = ops.shape(x)
        c = x.shape[-1]
        h, w = shape[1] // r, shape[2] // r
        x = ops.reshape(x, (-1, h, r, w, r, c))
        x = ops.transpose(x, (0, 1, 3, 5, 2, 4))          # B, h, w, C, i, j
        return ops.reshape(x, (-1, h, w, c * r * r))

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.factor
        return (b, None if h is None else h // r, None if w is None else w // r, c * r * r)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class _Seeds:
    def __init__(self, seed):
        self.seed, self.n = seed, 0

    def __call__(self):
        if self.seed is None:
            return None
        self.n += 1
        return self.seed + self.n


def _dense_init(seed):
    # kaiming_normal_(fan_in, a=0) * 0.1: variance 2 * 0.1^2 / fan_in.
    return keras.initializers.VarianceScaling(2.0 * INIT_SCALE ** 2, mode="fan_in",
                                              distribution="untruncated_normal", seed=seed)


def _torch_default(seed, fan_in):
    # torch.nn.Conv2d's reset_parameters: kaiming_uniform_(a=sqrt(5)) = U(+-1/sqrt(fan_in)),
    # bias U(+-1/sqrt(fan_in)).
    bound = 1.0 / math.sqrt(fan_in)
    kernel = keras.initializers.VarianceScaling(1.0 / 3.0, mode="fan_in",
                                                distribution="uniform", seed=seed)
    bias = keras.initializers.RandomUniform(-bound, bound,
                                            seed=None if seed is None else seed + 7919)
    return kernel, bias


def _conv(x, filters, name, seeds, dense=False):
    fan_in = 9 * int(x.shape[-1])
    if dense:
        kernel, bias = _dense_init(seeds()), "zeros"
    else:
        kernel, bias = _torch_default(seeds(), fan_in)
    return keras.layers.Conv2D(filters, 3, padding="same", name=name,
                               kernel_initializer=kernel, bias_initializer=bias)(x)


def _lrelu(x, name):
    return keras.layers.LeakyReLU(negative_slope=0.2, name=name)(x)


def _scaled_add(x, residual, name):
    y = keras.layers.Rescaling(RESIDUAL_SCALE, name=f"{name}_scale")(residual)
    return keras.layers.Add(name=f"{name}_add")([x, y])


def _rdb(x, nf, gc, name, seeds):
    feats = [x]
    for k in range(1, RDB_CONVS + 1):
        inp = feats[0] if len(feats) == 1 else keras.layers.Concatenate(
            name=f"{name}_cat{k}")(feats)
        out = _conv(inp, gc if k < RDB_CONVS else nf, f"{name}_conv{k}", seeds, dense=True)
        if k < RDB_CONVS:
            out = _lrelu(out, f"{name}_lrelu{k}")
            feats.append(out)
    return _scaled_add(x, out, name)


def _rrdb(x, nf, gc, name, seeds):
    out = x
    for j in range(1, 4):
        out = _rdb(out, nf, gc, f"{name}_rdb{j}", seeds)
    return _scaled_add(x, out, name)


def rrdbnet(scale: int = 4, n_blocks: int = 23, n_feats: int = 64, growth: int = 32,
            channels: int = 3, upsample_skip: str = "none", seed: int | None = None,
            name: str = "rrdbnet", x2_layout: str = "stage") -> keras.Model:
    """RRDBNet: LR ``[B, H, W, C]`` in [-1, 1] -> SR ``[B, s*H, s*W, C]`` (linear output).

    Args:
        scale: 2 (one nearest x2 + conv stage) or 4 (two).
        n_blocks: RRDBs in the trunk (paper: 23).
        n_feats: trunk channels (paper: 64).
        growth: channels each dense-block conv adds (paper: 32).
        upsample_skip: ``"none"`` (the reference) or ``"bilinear"`` / ``"bicubic"``: add
            the interpolated input to the output, so the network learns a residual over
            interpolation (not in ESRGAN; it makes short runs learn fast).
        seed: base seed of the initialisers (None: Keras' global RNG).
        x2_layout: x2 only: ``"stage"`` (one upsampling stage) or ``"unshuffle"``
            (BasicSR's x2 RRDBNet: :class:`PixelUnshuffle` by 2 before ``conv_first``,
            then two stages; the input must have even sides).
    """
    if upsample_skip not in SKIPS:
        raise ValueError(f"upsample_skip must be one of {SKIPS}, got {upsample_skip!r}")
    stages = up_stages(scale, x2_layout)
    seeds = _Seeds(seed)
    inp = keras.Input((None, None, channels), name="lr")
    x = keras.layers.Rescaling(0.5, offset=0.5, name="to_unit")(inp)
    first = x
    if scale == 2 and x2_layout == "unshuffle":
        first = PixelUnshuffle(2, name="unshuffle")(x)
    feat = _conv(first, n_feats, "conv_first", seeds)
    body = feat
    for i in range(n_blocks):
        body = _rrdb(body, n_feats, growth, f"body_{i}", seeds)
    body = _conv(body, n_feats, "conv_body", seeds)
    feat = keras.layers.Add(name="trunk_add")([feat, body])
    for k in range(1, stages + 1):
        feat = NearestUpsample2x(name=f"up{k}")(feat)
        feat = _lrelu(_conv(feat, n_feats, f"conv_up{k}", seeds), f"conv_up{k}_lrelu")
    feat = _lrelu(_conv(feat, n_feats, "conv_hr", seeds), "conv_hr_lrelu")
    out = _conv(feat, channels, "conv_last", seeds)
    if upsample_skip != "none":
        base = keras.layers.UpSampling2D(scale, interpolation=upsample_skip,
                                         name="upsample_skip")(x)
        out = keras.layers.Add(name="upsample_add")([out, base])
    out = keras.layers.Rescaling(2.0, offset=-1.0, dtype="float32", name="from_unit")(out)
    return keras.Model(inp, out, name=name)


_BODY = re.compile(r"^body_(\d+)_rdb(\d)_conv(\d)$")


def torch_key(layer: str, variable: str) -> str:
    """The BasicSR state-dict key of a Keras conv variable (``kernel`` or ``bias``).

    >>> torch_key("conv_up2", "bias")
    'conv_up2.bias'
    """
    suffix = {"kernel": "weight", "bias": "bias"}[variable]
    m = _BODY.match(layer)
    if m:
        return f"body.{m.group(1)}.rdb{m.group(2)}.conv{m.group(3)}.{suffix}"
    return f"{layer}.{suffix}"


def conv_layers(model: keras.Model) -> list:
    """The Conv2D layers of an RRDBNet, in graph order."""
    return [la for la in model.layers if isinstance(la, keras.layers.Conv2D)]
