"""U-Net generator of pix2pix (reference ``UnetGenerator`` / ``UnetSkipConnectionBlock``).

``num_downs`` 4x4 stride-2 convs (LeakyReLU 0.2 before each but the first; norm after
each but the first and the innermost), then mirrored 4x4 stride-2 transposed convs (ReLU
before each, norm after each but the last) whose outputs are concatenated after the
matching encoder activation (``[skip, up]`` on the channel axis). Dropout 0.5 follows the
norm of the ``num_downs - 5`` decoder blocks just outside the innermost one (3 for
unet_256). The last layer is tanh.

``unet_256`` is ``num_downs=8`` and ``unet_128`` is ``num_downs=7``; with ngf=64 and batch
norm unet_256 has 54,413,955 trainable parameters, as the reference (the BatchNorm
moving mean/variance are extra, non-trainable weights; PyTorch keeps them as buffers).
Input height and width must be multiples of ``2 ** num_downs``.

>>> import numpy as np
>>> from cgtk.nn import unet_generator, required_multiple
>>> g = unet_generator(num_downs=5, ngf=4, dropout_at_inference=False)
>>> required_multiple(g)
32
>>> tuple(g(np.zeros((1, 32, 64, 3), "float32")).shape)
(1, 32, 64, 3)
"""
from __future__ import annotations

import keras

from cgtk.nn.blocks import Blocks, tanh_output
from cgtk.nn.layers import AlwaysDropout


def unet_generator(input_channels: int = 3, output_channels: int = 3, num_downs: int = 8,
                   ngf: int = 64, norm: str = "batch", use_dropout: bool = True,
                   dropout_at_inference: bool = True, init: str = "normal",
                   init_gain: float = 0.02, seed: int | None = None,
                   name: str = "unet_generator") -> keras.Model:
    """Build the pix2pix U-Net generator as a functional ``keras.Model``.

    Args:
        input_channels, output_channels: image channels in and out.
        num_downs: downsamplings (>= 5); 8 for 256 px (bottleneck 1x1), 7 for 128 px.
        ngf: filters of the outermost conv; inner levels use 2, 4, then 8 times that.
        norm: "batch" (paper), "instance" or "none".
        use_dropout: dropout 0.5 in the ``num_downs - 5`` middle decoder blocks.
        dropout_at_inference: keep that dropout on at test time (pix2pix's noise
            source, the paper's default) using :class:`cgtk.nn.AlwaysDropout`; False uses
            ``keras.layers.Dropout`` (training only), so inference is deterministic.
        init, init_gain: kernel init (see :func:`cgtk.nn.initializer`).
        seed: base seed for the initial weights and the dropout (None: unseeded).
        name: model name.

    The model has the attribute ``cgtk_multiple = 2 ** num_downs``.

    >>> unet_generator(num_downs=5, ngf=2, use_dropout=False).count_params() > 0
    True
    """
    if num_downs < 5:
        raise ValueError(f"num_downs must be >= 5, got {num_downs}")
    b = Blocks(norm, init, init_gain, seed)
    inner = [ngf * min(2**i, 8) for i in range(num_downs)]  # channels after down conv i

    inputs = keras.Input(shape=(None, None, input_channels), name=f"{name}_input")
    skips = []  # input of each level, concatenated back after its decoder block
    x = inputs
    for level in range(num_downs):
        skips.append(x)
        if level > 0:
            x = b.leaky_relu(x)
        x = b.conv(x, inner[level], 4, stride=2, padding=1)
        if 0 < level < num_downs - 1:
            x = b.norm(x)
    for level in reversed(range(1, num_downs)):
        x = b.relu(x)
        x = b.conv_transpose(x, inner[level - 1], 4, stride=2, padding=1)
        x = b.norm(x)
        if use_dropout and 4 <= level <= num_downs - 2:
            drop = AlwaysDropout if dropout_at_inference else keras.layers.Dropout
            x = drop(0.5, seed=b.seeds())(x)
        x = keras.layers.Concatenate(axis=-1)([skips[level], x])
    x = b.relu(x)
    x = b.conv_transpose(x, output_channels, 4, stride=2, padding=1, use_bias=True)
    model = keras.Model(inputs, tanh_output(x), name=name)
    model.cgtk_multiple = 2**num_downs
    return model
