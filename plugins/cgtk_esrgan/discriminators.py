"""The discriminators of ESRGAN and Real-ESRGAN, in pure Keras 3.

* :func:`vgg_style_discriminator` -- BasicSR's ``VGGStyleDiscriminator`` (ESRGAN): five
  stages of a 3x3 stride-1 conv and a 4x4 stride-2 conv (BN after all but the first
  conv, LeakyReLU 0.2), widths nf x 1,2,4,8,8, then flatten, dense 100, LeakyReLU,
  dense 1 (logits). The reference takes 128x128 crops (a 4x4 map before the dense
  layers); here any crop that is a multiple of 32 works, the dense input follows it.
* :func:`unet_discriminator_sn` -- Real-ESRGAN's ``UNetDiscriminatorSN``: a U-Net with
  spectral normalisation (``keras.layers.SpectralNormalization``) on every conv but
  the first and the last, bilinear x2 upsampling, additive skips; per-pixel logits.

>>> import numpy as np
>>> d = vgg_style_discriminator(nf=4, input_size=32)
>>> tuple(d(np.zeros((2, 32, 32, 3), "float32")).shape)
(2, 1)
>>> u = unet_discriminator_sn(nf=4)
>>> tuple(u(np.zeros((1, 16, 24, 3), "float32")).shape)
(1, 16, 24, 1)
"""
from __future__ import annotations

import keras

STAGE_WIDTHS = (1, 2, 4, 8, 8)


def _lrelu(x, name):
    return keras.layers.LeakyReLU(negative_slope=0.2, name=name)(x)


def _bn(x, name):
    # torch BatchNorm2d: momentum 0.1 (Keras 0.9), eps 1e-5.
    return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)(x)


def vgg_style_discriminator(nf: int = 64, input_size: int = 128, channels: int = 3,
                            seed: int | None = None, name: str = "vgg_style_d") -> keras.Model:
    """BasicSR's VGGStyleDiscriminator: ``[B, S, S, C]`` -> logits ``[B, 1]``.

    Args:
        nf: width of the first stage (reference: 64).
        input_size: the crop size ``S`` (reference: 128), a multiple of 32.
    """
    if input_size % 32:
        raise ValueError(f"the VGG-style discriminator needs a crop that is a multiple of "
                         f"32 (5 stride-2 stages), got {input_size}")
    n = [0]

    def init():
        n[0] += 1
        return keras.initializers.HeNormal(seed=None if seed is None else seed + n[0])

    inp = keras.Input((input_size, input_size, channels), name="image")
    x = inp
    for s, mult in enumerate(STAGE_WIDTHS):
        x = keras.layers.Conv2D(nf * mult, 3, padding="same", use_bias=s == 0,
                                kernel_initializer=init(), name=f"conv{s}_0")(x)
        if s > 0:
            x = _bn(x, f"bn{s}_0")
        x = _lrelu(x, f"lrelu{s}_0")
        x = keras.layers.Conv2D(nf * mult, 4, strides=2, padding="same", use_bias=False,
                                kernel_initializer=init(), name=f"conv{s}_1")(x)
        x = _lrelu(_bn(x, f"bn{s}_1"), f"lrelu{s}_1")
    x = keras.layers.Flatten(name="flatten")(x)
    x = _lrelu(keras.layers.Dense(100, name="linear1")(x), "linear1_lrelu")
    x = keras.layers.Dense(1, dtype="float32", name="linear2")(x)
    return keras.Model(inp, x, name=name)


def unet_discriminator_sn(nf: int = 64, skip_connection: bool = True, channels: int = 3,
                          seed: int | None = None, name: str = "unet_d_sn") -> keras.Model:
    """Real-ESRGAN's U-Net discriminator with spectral norm: ``[B, H, W, C]`` -> ``[B, H, W, 1]``.

    ``H`` and ``W`` must be multiples of 8 (three stride-2 convs).
    """
    n = [0]

    def conv(x, filters, kernel, stride=1, sn=True, bias=False, label=""):
        n[0] += 1
        layer = keras.layers.Conv2D(
            filters, kernel, strides=stride, padding="same", use_bias=bias, name=label,
            kernel_initializer=keras.initializers.HeNormal(
                seed=None if seed is None else seed + n[0]))
        if sn:
            layer = keras.layers.SpectralNormalization(layer, name=f"{label}_sn")
        return layer(x)

    def up(x, label):
        return keras.layers.UpSampling2D(2, interpolation="bilinear", name=label)(x)

    inp = keras.Input((None, None, channels), name="image")
    x0 = _lrelu(conv(inp, nf, 3, sn=False, bias=True, label="conv0"), "lrelu0")
    x1 = _lrelu(conv(x0, nf * 2, 4, 2, label="conv1"), "lrelu1")
    x2 = _lrelu(conv(x1, nf * 4, 4, 2, label="conv2"), "lrelu2")
    x3 = _lrelu(conv(x2, nf * 8, 4, 2, label="conv3"), "lrelu3")
    x4 = _lrelu(conv(up(x3, "up3"), nf * 4, 3, label="conv4"), "lrelu4")
    if skip_connection:
        x4 = keras.layers.Add(name="skip2")([x4, x2])
    x5 = _lrelu(conv(up(x4, "up4"), nf * 2, 3, label="conv5"), "lrelu5")
    if skip_connection:
        x5 = keras.layers.Add(name="skip1")([x5, x1])
    x6 = _lrelu(conv(up(x5, "up5"), nf, 3, label="conv6"), "lrelu6")
    if skip_connection:
        x6 = keras.layers.Add(name="skip0")([x6, x0])
    out = _lrelu(conv(x6, nf, 3, label="conv7"), "lrelu7")
    out = _lrelu(conv(out, nf, 3, label="conv8"), "lrelu8")
    out = conv(out, 1, 3, sn=False, bias=True, label="conv9")
    out = keras.layers.Activation("linear", dtype="float32", name="logits")(out)
    return keras.Model(inp, out, name=name)
