"""Pixel-wise reconstruction losses in float32 (mean over every element).

>>> import numpy as np
>>> from cgtk.losses import l1, mse
>>> a, b = np.zeros((1, 2, 2, 3)), np.full((1, 2, 2, 3), 0.5)
>>> float(l1(a, b)), float(mse(a, b))
(0.5, 0.25)
"""
from __future__ import annotations

from keras import ops


def _f32(x):
    return ops.cast(ops.convert_to_tensor(x), "float32")


def l1(a, b):
    """Mean absolute error ``mean(|a - b|)`` (PyTorch ``L1Loss``), a float32 scalar.

    >>> float(l1([1.0, -1.0], [0.0, 0.0]))
    1.0
    """
    return ops.mean(ops.abs(_f32(a) - _f32(b)))


def mse(a, b):
    """Mean squared error ``mean((a - b)^2)`` (PyTorch ``MSELoss``), a float32 scalar.

    >>> float(mse([2.0], [0.0]))
    4.0
    """
    return ops.mean(ops.square(_f32(a) - _f32(b)))
