"""BasicSR's MSRResNet (Wang et al. 2018, ``basicsr/archs/srresnet_arch.py``) in Keras 3.

``conv_first`` 3x3 + LeakyReLU 0.1, ``num_block`` residual blocks without BN
(conv-ReLU-conv + skip), one sub-pixel stage per factor of the scale (x2 x2 for 4;
3x3 conv to ``num_feat * r*r``, PixelShuffle, LeakyReLU 0.1), ``conv_hr`` 3x3 +
LeakyReLU, ``conv_last`` 3x3 to RGB, plus the bilinearly upsampled input. It differs
from the paper's SRResNet (:func:`cgtk_srresnet.networks.srresnet_generator`): 3x3
head and tail, LeakyReLU instead of PReLU, no BN, no long skip, an extra ``conv_hr``.

BasicSR's network works on [0, 1] images; this model takes and returns [-1, 1] like every
cgtk network, rescaling at both ends, so BasicSR weights work unchanged.

>>> import numpy as np
>>> g = msrresnet_generator(scale=4, n_blocks=1, n_feats=8)
>>> tuple(g(np.zeros((1, 5, 7, 3), "float32")).shape)
(1, 20, 28, 3)
"""
from __future__ import annotations

import keras

from cgtk_srresnet.networks import PixelShuffle, upsample_stages


def _conv(x, filters, name, seed):
    # BasicSR's default_init_weights: Kaiming normal scaled by 0.1.
    init = keras.initializers.VarianceScaling(scale=2.0 * 0.01, mode="fan_in",
                                              distribution="untruncated_normal", seed=seed)
    return keras.layers.Conv2D(filters, 3, padding="same", name=name,
                               kernel_initializer=init)(x)


def _lrelu(x, name):
    return keras.layers.LeakyReLU(negative_slope=0.1, name=name)(x)


def msrresnet_generator(scale: int = 4, n_blocks: int = 16, n_feats: int = 64,
                        channels: int = 3, seed: int | None = None,
                        name: str = "msrresnet") -> keras.Model:
    """MSRResNet: LR ``[B, H, W, C]`` in [-1, 1] -> SR ``[B, sH, sW, C]`` in [-1, 1]."""
    stages = upsample_stages(scale)
    n = [0]

    def seed_():
        n[0] += 1
        return None if seed is None else seed + n[0]

    inp = keras.Input((None, None, channels), name="lr")
    x01 = keras.layers.Rescaling(0.5, offset=0.5, name="to_unit")(inp)
    x = _lrelu(_conv(x01, n_feats, "conv_first", seed_()), "conv_first_lrelu")
    for i in range(n_blocks):
        y = _conv(x, n_feats, f"body{i}_conv1", seed_())
        y = keras.layers.ReLU(name=f"body{i}_relu")(y)
        y = _conv(y, n_feats, f"body{i}_conv2", seed_())
        x = keras.layers.Add(name=f"body{i}_add")([x, y])
    for i, r in enumerate(stages):
        x = _conv(x, n_feats * r * r, f"upconv{i + 1}", seed_())
        x = _lrelu(PixelShuffle(r, name=f"up{i + 1}_shuffle")(x), f"up{i + 1}_lrelu")
    x = _lrelu(_conv(x, n_feats, "conv_hr", seed_()), "conv_hr_lrelu")
    x = _conv(x, channels, "conv_last", seed_())
    base = keras.layers.UpSampling2D(scale, interpolation="bilinear", name="base")(x01)
    x = keras.layers.Add(name="add_base")([x, base])
    out = keras.layers.Rescaling(2.0, offset=-1.0, dtype="float32", name="from_unit")(x)
    return keras.Model(inp, out, name=name)
