"""The image transformation network of Johnson et al. (2016), in pure Keras 3.

9x9 conv (ngf) -> two stride-2 3x3 convs (2 ngf, 4 ngf) -> ``n_blocks`` residual
blocks (4 ngf) -> two x2 upsamplings (2 ngf, ngf) -> 9x9 conv to 3 -> tanh.
Every conv but the last is followed by instance norm and ReLU. Convs use reflection
padding (no border artefacts; Johnson's original pads the input by 40 px and uses
unpadded convs in the residual blocks instead). Upsampling is a stride-2 transposed
conv (the paper) or nearest-neighbour x2 then a 3x3 conv (no checkerboard artefacts,
Odena et al. 2016).

>>> import numpy as np
>>> t = transformer_network(ngf=4, n_blocks=1)
>>> tuple(t(np.zeros((1, 12, 16, 3), "float32")).shape)
(1, 12, 16, 3)
"""
from __future__ import annotations

import keras

from cgtk.nn import ReflectionPadding2D
from cgtk.nn.blocks import Blocks, tanh_output

UPSAMPLES = ("transpose", "nearest")
OUTPUTS = ("tanh", "pixels255")
NORMS = ("instance_affine", "instance", "batch")


def _norm(x, kind: str, name: str):
    if kind == "batch":
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)(x)
    # Instance norm = group norm with one group per channel; Johnson's (Ulyanov's) has
    # a learned per-channel scale and shift ("instance_affine").
    affine = kind == "instance_affine"
    return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, center=affine,
                                           scale=affine, name=name)(x)


def _conv(x, filters, kernel, stride, name, seeds):
    pad = kernel // 2
    x = ReflectionPadding2D(pad, name=f"{name}_pad")(x)
    return keras.layers.Conv2D(filters, kernel, strides=stride, padding="valid", name=name,
                               kernel_initializer=keras.initializers.HeNormal(seed=seeds()))(x)


def transformer_network(ngf: int = 32, n_blocks: int = 5, norm: str = "instance_affine",
                        upsample: str = "transpose", channels: int = 3,
                        seed: int | None = None, name: str = "transformer",
                        output: str = "tanh") -> keras.Model:
    """Johnson et al.'s transformer: ``[B, H, W, C]`` in [-1, 1] -> same shape, tanh.

    ``H`` and ``W`` must be multiples of 4 (two stride-2 stages).

    Args:
        ngf: channels of the first conv (paper: 32; then 64, 128).
        n_blocks: residual blocks (paper: 5).
        norm: ``"instance_affine"`` (Johnson's instance norm with learned scale/shift),
            ``"instance"`` (no affine) or ``"batch"`` (the paper's first version).
        upsample: ``"transpose"`` (paper) or ``"nearest"`` (+ 3x3 conv; pytorch/examples'
            ``UpsampleConvLayer``: nearest x2, reflection pad 1, 3x3 conv).
        output: ``"tanh"`` (cgtk: the net works on [-1, 1], tanh output) or
            ``"pixels255"`` (pytorch/examples ``TransformerNet``: the net works on 0..255
            pixels with a linear output; the model still takes and returns [-1, 1],
            rescaling at both ends, so imported weights work unchanged).
    """
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
    if upsample not in UPSAMPLES:
        raise ValueError(f"upsample must be one of {UPSAMPLES}, got {upsample!r}")
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    blocks = Blocks(norm="none", seed=seed)
    seeds = blocks.seeds
    inp = keras.Input((None, None, channels), name="content")
    x = inp
    if output == "pixels255":
        x = keras.layers.Rescaling(127.5, offset=127.5, name="to_pixels255")(x)
    x = _conv(x, ngf, 9, 1, "conv_in", seeds)
    x = keras.layers.ReLU(name="conv_in_relu")(_norm(x, norm, "conv_in_norm"))
    for i, mult in enumerate((2, 4)):
        x = _conv(x, ngf * mult, 3, 2, f"down{i}", seeds)
        x = keras.layers.ReLU(name=f"down{i}_relu")(_norm(x, norm, f"down{i}_norm"))
    for i in range(n_blocks):
        y = _conv(x, ngf * 4, 3, 1, f"res{i}_conv1", seeds)
        y = keras.layers.ReLU(name=f"res{i}_relu")(_norm(y, norm, f"res{i}_norm1"))
        y = _conv(y, ngf * 4, 3, 1, f"res{i}_conv2", seeds)
        y = _norm(y, norm, f"res{i}_norm2")
        x = keras.layers.Add(name=f"res{i}_add")([x, y])
    for i, mult in enumerate((2, 1)):
        if upsample == "nearest":
            x = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"up{i}_resize")(x)
            x = _conv(x, ngf * mult, 3, 1, f"up{i}", seeds)
        else:
            # ConvTranspose2d(3, stride 2, padding 1, output_padding 1): exactly x2.
            x = blocks.conv_transpose(x, ngf * mult, 3, stride=2, padding=1,
                                      output_padding=1, use_bias=True)
        x = keras.layers.ReLU(name=f"up{i}_relu")(_norm(x, norm, f"up{i}_norm"))
    x = _conv(x, channels, 9, 1, "conv_out", seeds)
    if output == "pixels255":
        out = keras.layers.Rescaling(1 / 127.5, offset=-1.0, dtype="float32",
                                     name="from_pixels255")(x)
        return keras.Model(inp, out, name=name)
    return keras.Model(inp, tanh_output(x), name=name)
