"""Reflection padding of the spatial axes (``torch.nn.ReflectionPad2d``).

>>> import numpy as np
>>> from cgtk.nn import ReflectionPadding2D
>>> x = np.arange(9, dtype="float32").reshape(1, 3, 3, 1)
>>> y = ReflectionPadding2D(1)(x)
>>> tuple(y.shape)
(1, 5, 5, 1)
>>> np.asarray(y)[0, :, :, 0][0].tolist()
[4.0, 3.0, 4.0, 5.0, 4.0]
"""
from __future__ import annotations

import keras


def _normalize_padding(padding):
    """``p``, ``(ph, pw)`` or ``((top, bottom), (left, right))`` -> nested tuple of ints."""
    if isinstance(padding, int):
        padding = (padding, padding)
    if len(padding) != 2:
        raise ValueError(f"padding must be an int, a pair or a pair of pairs, got {padding!r}")
    out = []
    for p in padding:
        if isinstance(p, int):
            out.append((p, p))
        else:
            if len(p) != 2:
                raise ValueError(f"padding must be an int, a pair or a pair of pairs, got {padding!r}")
            out.append((int(p[0]), int(p[1])))
    if any(v < 0 for pair in out for v in pair):
        raise ValueError(f"padding must be non-negative, got {padding!r}")
    return tuple(out)


@keras.saving.register_keras_serializable(package="cgtk")
class ReflectionPadding2D(keras.layers.Layer):
    """Pad height and width of an NHWC tensor by reflection (edge pixel not repeated).

    Same as ``numpy.pad(mode="reflect")`` and PyTorch's ``ReflectionPad2d``; each
    padding amount must be smaller than the padded dimension.

    Args:
        padding: ``p`` (all sides), ``(ph, pw)`` (symmetric per axis) or
            ``((top, bottom), (left, right))``.

    >>> import numpy as np
    >>> tuple(ReflectionPadding2D(((1, 0), (0, 2)))(np.zeros((2, 4, 4, 3))).shape)
    (2, 5, 6, 3)
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _normalize_padding(padding)

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        return keras.ops.pad(inputs, [[0, 0], [top, bottom], [left, right], [0, 0]],
                             mode="reflect")

    def compute_output_shape(self, input_shape):
        (top, bottom), (left, right) = self.padding
        n, h, w, c = input_shape
        return (n, None if h is None else h + top + bottom,
                None if w is None else w + left + right, c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
