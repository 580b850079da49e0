"""ResNet generator of CycleGAN (Johnson et al. 2016 layout; reference ``ResnetGenerator``).

c7s1-ngf, d2ngf, d4ngf, ``n_blocks`` x R4ngf, u2ngf, ungf, c7s1-out, tanh. Parameter counts
match the reference exactly (ngf=64, instance norm: 11,378,179 with 9 blocks, 7,837,699
with 6). Input height and width must be multiples of 4 (:func:`cgtk.nn.required_multiple`).

>>> import numpy as np
>>> from cgtk.nn import resnet_generator
>>> g = resnet_generator(ngf=8, n_blocks=2)
>>> tuple(g(np.zeros((1, 36, 44, 3), "float32")).shape)
(1, 36, 44, 3)
"""
from __future__ import annotations

import keras

from cgtk.nn.blocks import Blocks, _check_choice, tanh_output
from cgtk.nn.padding import ReflectionPadding2D

UPSAMPLE_KINDS = ("transpose", "nearest")
N_DOWNSAMPLING = 2


def resnet_block(b: Blocks, x, use_dropout=False, dropout_seed=None):
    """One residual block: (reflect-pad 1, 3x3 conv, norm, ReLU, [dropout 0.5],
    reflect-pad 1, 3x3 conv, norm) + skip."""
    dim = x.shape[-1]
    y = b.conv(x, dim, 3, padding=1, pad="reflect")
    y = b.relu(b.norm(y))
    if use_dropout:
        y = keras.layers.Dropout(0.5, seed=dropout_seed)(y)
    y = b.conv(y, dim, 3, padding=1, pad="reflect")
    y = b.norm(y)
    return keras.layers.Add()([x, y])


def resnet_generator(input_channels: int = 3, output_channels: int = 3, ngf: int = 64,
                     n_blocks: int = 9, norm: str = "instance", use_dropout: bool = False,
                     init: str = "normal", init_gain: float = 0.02,
                     upsample: str = "transpose", seed: int | None = None,
                     name: str = "resnet_generator") -> keras.Model:
    """Build the CycleGAN ResNet generator as a functional ``keras.Model``.

    Args:
        input_channels, output_channels: image channels in and out.
        ngf: filters of the first conv (64 in the paper).
        n_blocks: residual blocks (9 for 256 px, 6 for 128 px in the paper).
        norm: "instance" (paper), "batch" or "none".
        use_dropout: dropout 0.5 inside each residual block (training only).
        init, init_gain: kernel init (see :func:`cgtk.nn.initializer`).
        upsample: "transpose" (reference: ConvTranspose 3x3, stride 2, padding 1,
            output_padding 1) or "nearest" (2x nearest upsampling + 3x3 conv, padding 1;
            same parameter count, avoids checkerboard artefacts).
        seed: base seed for the initial weights (None: unseeded).
        name: model name.

    The output is tanh in [-1, 1] (float32 under mixed precision). The model has the
    attribute ``cgtk_multiple = 4``.

    >>> resnet_generator(ngf=4, n_blocks=1).count_params()
    8739
    """
    _check_choice("upsample", upsample, UPSAMPLE_KINDS)
    b = Blocks(norm, init, init_gain, seed)
    inputs = keras.Input(shape=(None, None, input_channels), name=f"{name}_input")
    x = b.conv(inputs, ngf, 7, padding=3, pad="reflect")
    x = b.relu(b.norm(x))
    for i in range(N_DOWNSAMPLING):
        x = b.conv(x, ngf * 2 ** (i + 1), 3, stride=2, padding=1)
        x = b.relu(b.norm(x))
    for _ in range(n_blocks):
        x = resnet_block(b, x, use_dropout, dropout_seed=b.seeds())
    for i in range(N_DOWNSAMPLING):
        filters = ngf * 2 ** (N_DOWNSAMPLING - i - 1)
        if upsample == "transpose":
            x = b.conv_transpose(x, filters, 3, stride=2, padding=1, output_padding=1)
        else:
            x = keras.layers.UpSampling2D(2, interpolation="nearest")(x)
            x = b.conv(x, filters, 3, padding=1)
        x = b.relu(b.norm(x))
    x = ReflectionPadding2D(3)(x)
    x = keras.layers.Conv2D(output_channels, 7, use_bias=True,
                            kernel_initializer=b.kernel_init())(x)
    model = keras.Model(inputs, tanh_output(x), name=name)
    model.cgtk_multiple = 2**N_DOWNSAMPLING
    return model
