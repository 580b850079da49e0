"""PatchGAN and pixel discriminators (reference ``NLayerDiscriminator``, ``PixelDiscriminator``).

Both output logits (no sigmoid); the adversarial losses in :mod:`cgtk.losses` take logits.
With ``n_layers=3`` the PatchGAN sees 70x70 patches and maps a 256x256 image to 30x30
logits; ndf=64 gives 2,764,737 parameters (3 channels, instance norm) as the reference.

>>> import numpy as np
>>> from cgtk.nn import patch_discriminator
>>> d = patch_discriminator(ndf=8)
>>> tuple(d(np.zeros((1, 64, 64, 3), "float32")).shape)
(1, 6, 6, 1)
"""
from __future__ import annotations

import keras

from cgtk.nn.blocks import Blocks


def patch_discriminator(input_channels: int = 3, ndf: int = 64, n_layers: int = 3,
                        norm: str = "instance", init: str = "normal",
                        init_gain: float = 0.02, seed: int | None = None,
                        name: str = "patch_discriminator") -> keras.Model:
    """Build the PatchGAN discriminator: logits of shape ``(N, h, w, 1)``.

    Layers: 4x4 conv (zero padding 1) stride 2 + LeakyReLU 0.2 (no norm); ``n_layers - 1``
    more stride-2 convs with ``ndf * min(2**n, 8)`` filters + norm + LeakyReLU; one
    stride-1 conv with ``ndf * min(2**n_layers, 8)`` filters + norm + LeakyReLU; a final
    1-filter 4x4 stride-1 conv. Convs before a norm carry a bias unless the norm is
    batch norm. For pix2pix pass ``input_channels`` = input + output channels (the
    conditional discriminator sees both, concatenated).

    Args:
        input_channels: channels of the image(s) judged.
        ndf: filters of the first conv.
        n_layers: stride-2 convs (3: 70x70 PatchGAN; 1: 16x16; more for larger patches).
        norm: "instance" (CycleGAN), "batch" (pix2pix) or "none".
        init, init_gain, seed: weight init (see :func:`cgtk.nn.initializer`).
        name: model name.

    Each output cell sees a ``70x70`` (n_layers 3) patch, so inputs should be at least
    ``2**(n_layers+2)`` pixels on each side.

    >>> patch_discriminator(6, norm="batch").count_params() - 2 * (128 + 256 + 512)
    2768705
    """
    if n_layers < 1:
        raise ValueError(f"n_layers must be >= 1, got {n_layers}")
    b = Blocks(norm, init, init_gain, seed)
    inputs = keras.Input(shape=(None, None, input_channels), name=f"{name}_input")
    x = b.conv(inputs, ndf, 4, stride=2, padding=1, use_bias=True)
    x = b.leaky_relu(x)
    for n in range(1, n_layers + 1):
        stride = 2 if n < n_layers else 1
        x = b.conv(x, ndf * min(2**n, 8), 4, stride=stride, padding=1)
        x = b.leaky_relu(b.norm(x))
    x = b.conv(x, 1, 4, stride=1, padding=1, use_bias=True)
    model = keras.Model(inputs, x, name=name)
    model.cgtk_multiple = 1
    return model


def pixel_discriminator(input_channels: int = 3, ndf: int = 64, norm: str = "instance",
                        init: str = "normal", init_gain: float = 0.02,
                        seed: int | None = None,
                        name: str = "pixel_discriminator") -> keras.Model:
    """Build the 1x1 PixelGAN discriminator: one logit per pixel, ``(N, H, W, 1)``.

    1x1 conv ndf + LeakyReLU 0.2, 1x1 conv 2*ndf + norm + LeakyReLU 0.2, 1x1 conv to 1.
    As in the reference, the last conv has a bias only if the norm is not batch norm.

    >>> import numpy as np
    >>> tuple(pixel_discriminator(ndf=4)(np.zeros((2, 5, 7, 3), "float32")).shape)
    (2, 5, 7, 1)
    """
    b = Blocks(norm, init, init_gain, seed)
    inputs = keras.Input(shape=(None, None, input_channels), name=f"{name}_input")
    x = b.leaky_relu(b.conv(inputs, ndf, 1, use_bias=True))
    x = b.leaky_relu(b.norm(b.conv(x, ndf * 2, 1)))
    x = b.conv(x, 1, 1)
    model = keras.Model(inputs, x, name=name)
    model.cgtk_multiple = 1
    return model
