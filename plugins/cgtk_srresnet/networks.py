"""SRResNet generator and SRGAN discriminator (Ledig et al. 2017), in pure Keras 3.

* :class:`PixelShuffle` -- sub-pixel upsampling (depth-to-space, Shi et al. 2016) with
  ``keras.ops`` reshape/transpose, registered so generators load with ``safe_mode=True``.
* :func:`srresnet_generator` -- 9x9 conv + PReLU, ``n_blocks`` residual blocks
  (conv-BN-PReLU-conv-BN + skip), conv-BN + global skip, one sub-pixel stage per
  factor of the scale (x2 for 2, x3 for 3, x2 x2 for 4), 9x9 conv to RGB.
* :func:`srgan_discriminator` -- the SRGAN discriminator: 8 3x3 convs (64s1 64s2 128s1
  128s2 256s1 256s2 512s1 512s2), LeakyReLU 0.2, BN after all but the first, then
  dense 1024, LeakyReLU, dense 1 (logits).

>>> import numpy as np
>>> g = srresnet_generator(scale=4, n_blocks=1, n_feats=8)
>>> tuple(g(np.zeros((1, 6, 7, 3), "float32")).shape)
(1, 24, 28, 3)
>>> d = srgan_discriminator(ndf=8)
>>> tuple(d(np.zeros((2, 32, 32, 3), "float32")).shape)
(2, 1)
"""
from __future__ import annotations

import keras
from keras import ops

SCALES = (2, 3, 4)
OUTPUTS = ("linear", "tanh")
NORMS = ("batch", "none")
D_HEADS = ("gap", "flatten")
SKIPS = ("none", "bilinear", "bicubic")


@keras.saving.register_keras_serializable(package="cgtk_srresnet")
class PixelShuffle(keras.layers.Layer):
    """Depth-to-space: ``[B, H, W, r*r*C] -> [B, r*H, r*W, C]``.

    Channel order as ``tf.nn.depth_to_space`` (``DCR``): output pixel ``(r*h + i,
    r*w + j)``, channel ``c`` comes from input channel ``(i*r + j)*C + c``.

    >>> import numpy as np
    >>> x = np.arange(8, dtype="float32").reshape(1, 1, 2, 4)
    >>> np.asarray(PixelShuffle(2)(x))[0, :, :, 0].tolist()
    [[0.0, 1.0, 4.0, 5.0], [2.0, 3.0, 6.0, 7.0]]
    """

    def __init__(self, scale: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.scale = int(scale)

    def call(self, x):
        r = self.scale
        shape = ops.shape(x)
        b, h, w, c = shape[0], shape[1], shape[2], shape[3]
        out_c = c // (r * r)
        x = ops.reshape(x, (b, h, w, r, r, out_c))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (b, h * r, w * r, out_c))

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        r = self.scale
        return (n, None if h is None else h * r, None if w is None else w * r,
                None if c is None else c // (r * r))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def upsample_stages(scale: int) -> list[int]:
    """The sub-pixel stages for ``scale``: ``[2, 2]`` for 4, ``[2]`` for 2, ``[3]`` for 3.

    >>> upsample_stages(4), upsample_stages(3)
    ([2, 2], [3])
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale}")
    return [2, 2] if scale == 4 else [scale]


def _conv(x, filters, kernel, name, stride=1, use_bias=True, seed=None, gain=1.0):
    # He (Kaiming) normal, fan_in, times ``gain`` (MSRResNet scales it by 0.1 without BN).
    init = keras.initializers.VarianceScaling(scale=2.0 * gain ** 2, mode="fan_in",
                                              distribution="untruncated_normal", seed=seed)
    return keras.layers.Conv2D(
        filters, kernel, strides=stride, padding="same", use_bias=use_bias, name=name,
        kernel_initializer=init)(x)


def _bn(x, name):
    return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)(x)


def _prelu(x, name):
    # One slope per channel, shared over the spatial axes (as torch.nn.PReLU(channels)).
    return keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25),
                              shared_axes=[1, 2], name=name)(x)


class _Seeds:
    def __init__(self, seed):
        self.seed, self.n = seed, 0

    def __call__(self):
        if self.seed is None:
            return None
        self.n += 1
        return self.seed + self.n


def srresnet_generator(scale: int = 4, n_blocks: int = 16, n_feats: int = 64,
                       norm: str = "batch", output: str = "linear", channels: int = 3,
                       res_scale: float = 1.0, upsample_skip: str = "none",
                       seed: int | None = None, name: str = "srresnet") -> keras.Model:
    """The SRResNet generator: LR ``[B, H, W, C]`` -> SR ``[B, scale*H, scale*W, C]``.

    Args:
        scale: 2, 3 or 4.
        n_blocks: residual blocks (paper: 16).
        n_feats: channels (paper: 64).
        norm: ``"batch"`` (paper) or ``"none"`` (EDSR / MSRResNet style; convs get biases).
        output: ``"linear"`` (the paper's SRResNet for MSE) or ``"tanh"``.
        res_scale: multiply each residual branch by this before the skip (1: paper).
        upsample_skip: ``"none"`` (paper) or ``"bilinear"`` / ``"bicubic"``: add the
            interpolated LR image to the output, so the network learns a residual
            (MSRResNet, Wang et al. 2018, uses bilinear).
        seed: base seed of the kernel initialisers (None: Keras' global RNG).

    Kernels are He-normal; without batch norm they are scaled by 0.1 (MSRResNet's
    initialisation), which keeps the un-normalised residual stack near identity at start.
    """
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    if upsample_skip not in SKIPS:
        raise ValueError(f"upsample_skip must be one of {SKIPS}, got {upsample_skip!r}")
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
    seeds = _Seeds(seed)
    bn = norm == "batch"
    g = 1.0 if bn else 0.1
    inp = keras.Input((None, None, channels), name="lr")
    x = _conv(inp, n_feats, 9, "head_conv", seed=seeds(), gain=g)
    x = skip = _prelu(x, "head_prelu")
    for i in range(n_blocks):
        y = _conv(x, n_feats, 3, f"block{i}_conv1", use_bias=not bn, seed=seeds(), gain=g)
        if bn:
            y = _bn(y, f"block{i}_bn1")
        y = _prelu(y, f"block{i}_prelu")
        y = _conv(y, n_feats, 3, f"block{i}_conv2", use_bias=not bn, seed=seeds(), gain=g)
        if bn:
            y = _bn(y, f"block{i}_bn2")
        if res_scale != 1.0:
            y = keras.layers.Rescaling(res_scale, name=f"block{i}_scale")(y)
        x = keras.layers.Add(name=f"block{i}_add")([x, y])
    x = _conv(x, n_feats, 3, "body_conv", use_bias=not bn, seed=seeds(), gain=g)
    if bn:
        x = _bn(x, "body_bn")
    x = keras.layers.Add(name="global_skip")([skip, x])
    for i, r in enumerate(upsample_stages(scale)):
        x = _conv(x, n_feats * r * r, 3, f"up{i}_conv", seed=seeds(), gain=g)
        x = PixelShuffle(r, name=f"up{i}_shuffle")(x)
        x = _prelu(x, f"up{i}_prelu")
    x = _conv(x, channels, 9, "tail_conv", seed=seeds(), gain=g)
    if upsample_skip != "none":
        base = keras.layers.UpSampling2D(scale, interpolation=upsample_skip,
                                         name="upsample_skip")(inp)
        x = keras.layers.Add(name="upsample_add")([x, base])
    x = keras.layers.Activation("tanh" if output == "tanh" else "linear", dtype="float32",
                                name="output")(x)
    return keras.Model(inp, x, name=name)


def srgan_discriminator(ndf: int = 64, head: str = "gap", image_size: int | None = None,
                        channels: int = 3, seed: int | None = None,
                        name: str = "srgan_d") -> keras.Model:
    """The SRGAN discriminator, ``[B, H, W, C]`` -> logits ``[B, 1]``.

    Args:
        ndf: channels of the first conv (paper: 64; the widths are ndf x 1,1,2,2,4,4,8,8).
        head: ``"gap"`` (global average pooling before dense 1024: any input size) or
            ``"flatten"`` (the paper: flatten the ``image_size/16`` map; fixed input size).
        image_size: the input size; needed for ``head="flatten"``.
    """
    if head not in D_HEADS:
        raise ValueError(f"head must be one of {D_HEADS}, got {head!r}")
    if head == "flatten" and not image_size:
        raise ValueError("head='flatten' needs image_size (the dense layer has a fixed input)")
    seeds = _Seeds(seed)
    size = image_size if head == "flatten" else None
    inp = keras.Input((size, size, channels), name="image")
    x = inp
    widths = [1, 1, 2, 2, 4, 4, 8, 8]
    for i, mult in enumerate(widths):
        stride = 1 if i % 2 == 0 else 2
        x = keras.layers.Conv2D(ndf * mult, 3, strides=stride, padding="same",
                                use_bias=i == 0, name=f"conv{i}",
                                kernel_initializer=keras.initializers.HeNormal(seed=seeds()))(x)
        if i > 0:
            x = _bn(x, f"bn{i}")
        x = keras.layers.LeakyReLU(negative_slope=0.2, name=f"lrelu{i}")(x)
    if head == "gap":
        x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    else:
        x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(ndf * 16, name="dense1024")(x)
    x = keras.layers.LeakyReLU(negative_slope=0.2, name="dense_lrelu")(x)
    x = keras.layers.Dense(1, name="logits", dtype="float32")(x)
    return keras.Model(inp, x, name=name)
