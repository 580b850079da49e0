"""Conv building blocks with PyTorch's padding semantics, shared by the builders.

``Conv2d(k, stride, padding=p)`` becomes zero padding ``p`` + a "valid" Keras conv, and
``ConvTranspose2d(k, stride, padding=p, output_padding=q)`` a "valid" Keras transposed
conv cropped by ``p`` at the start and ``p - q`` at the end. Outputs are then aligned
pixel-for-pixel with the reference (Keras' ``padding="same"`` gives the same sizes but,
for odd totals, pads/crops on the other side).

>>> import keras
>>> from cgtk.nn.blocks import Blocks
>>> b = Blocks(norm="instance")
>>> x = keras.Input((None, None, 3))
>>> y = b.conv_transpose(x, 8, 3, stride=2, padding=1, output_padding=1)
>>> tuple(keras.Model(x, y)(keras.ops.zeros((1, 5, 7, 3))).shape)
(1, 10, 14, 8)
"""
from __future__ import annotations

import keras

from cgtk.nn.init import INIT_KINDS, SeedSequence, initializer
from cgtk.nn.norm import NORM_KINDS, norm_layer, uses_bias
from cgtk.nn.padding import ReflectionPadding2D


def _check_choice(what, value, choices):
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(choices)}")


class Blocks:
    """Makes layers with one norm kind, one init scheme and per-layer seeds.

    Args:
        norm: ``"instance"``, ``"batch"`` or ``"none"``.
        init: kernel init scheme (see :func:`cgtk.nn.initializer`).
        init_gain: its gain; also the std of the BatchNorm scale init.
        seed: base seed; layer ``i`` gets ``seed + i`` (None: unseeded).
    """

    def __init__(self, norm="instance", init="normal", init_gain=0.02, seed=None):
        _check_choice("norm", norm, NORM_KINDS)
        _check_choice("init", init, INIT_KINDS)
        self.norm_kind = norm
        self.init = init
        self.init_gain = init_gain
        self.seeds = SeedSequence(seed)
        self.bias = uses_bias(norm)

    def kernel_init(self):
        return initializer(self.init, self.init_gain, self.seeds())

    def conv(self, x, filters, kernel, stride=1, padding=0, use_bias=None, pad="zero"):
        """``Conv2d(kernel, stride, padding)``; ``pad`` is "zero" or "reflect"."""
        if padding:
            x = (ReflectionPadding2D(padding) if pad == "reflect"
                 else keras.layers.ZeroPadding2D(padding))(x)
        return keras.layers.Conv2D(
            filters, kernel, strides=stride, padding="valid",
            use_bias=self.bias if use_bias is None else use_bias,
            kernel_initializer=self.kernel_init(), bias_initializer="zeros")(x)

    def conv_transpose(self, x, filters, kernel, stride=2, padding=0, output_padding=0,
                       use_bias=None):
        """``ConvTranspose2d(kernel, stride, padding, output_padding)``."""
        if not 0 <= output_padding <= padding:
            raise ValueError("need 0 <= output_padding <= padding, got "
                             f"output_padding={output_padding}, padding={padding}")
        x = keras.layers.Conv2DTranspose(
            filters, kernel, strides=stride, padding="valid",
            use_bias=self.bias if use_bias is None else use_bias,
            kernel_initializer=self.kernel_init(), bias_initializer="zeros")(x)
        crop = (padding, padding - output_padding)
        if any(crop):
            x = keras.layers.Cropping2D((crop, crop))(x)
        return x

    def norm(self, x):
        """The norm layer (identity for "none")."""
        layer = norm_layer(self.norm_kind, init_gain=self.init_gain, seed=self.seeds())
        return x if layer is None else layer(x)

    def relu(self, x):
        return keras.layers.ReLU()(x)

    def leaky_relu(self, x, slope=0.2):
        return keras.layers.LeakyReLU(negative_slope=slope)(x)


def tanh_output(x):
    """Final ``tanh``, computed in float32 (so mixed-precision generators emit float32)."""
    return keras.layers.Activation("tanh", dtype="float32")(x)
