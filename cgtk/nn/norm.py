"""Normalisation layers of the reference: instance, batch or none.

- ``"instance"``: ``InstanceNorm2d(affine=False, track_running_stats=False)`` as
  ``GroupNormalization(groups=-1, epsilon=1e-5, center=False, scale=False)`` (one group
  per channel = instance norm; statistics of each image at train and test time).
  Keras' default epsilon is 1e-3; we use PyTorch's 1e-5.
- ``"batch"``: ``BatchNorm2d`` as ``BatchNormalization(momentum=0.9, epsilon=1e-5)``
  (PyTorch's momentum 0.1 weights the new batch, Keras' momentum the old average).
  Scale initialised ``N(1, init_gain)``, offset 0, as the reference's ``init_weights``.
- ``"none"``: no layer.

The reference uses a conv bias only when the norm is instance norm
(:func:`uses_bias`); we also use it with ``"none"``, since no norm offset follows.

>>> from cgtk.nn import norm_layer
>>> type(norm_layer("instance")).__name__
'GroupNormalization'
>>> norm_layer("none") is None
True
"""
from __future__ import annotations

import keras

from cgtk.nn.init import gamma_initializer

NORM_KINDS = ("instance", "batch", "none")


def norm_layer(kind: str, *, init_gain: float = 0.02, seed: int | None = None,
               name: str | None = None):
    """A new normalisation layer of ``kind`` (``None`` for ``"none"``).

    >>> norm_layer("batch").momentum
    0.9
    """
    if kind == "instance":
        return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, center=False,
                                               scale=False, name=name)
    if kind == "batch":
        return keras.layers.BatchNormalization(
            momentum=0.9, epsilon=1e-5, gamma_initializer=gamma_initializer(init_gain, seed),
            name=name)
    if kind == "none":
        return None
    raise ValueError(f"unknown norm {kind!r}; expected one of {', '.join(NORM_KINDS)}")


def uses_bias(kind: str) -> bool:
    """Whether convs followed by a ``kind`` norm carry a bias (no bias before batch norm).

    >>> uses_bias("instance"), uses_bias("batch"), uses_bias("none")
    (True, False, True)
    """
    if kind not in NORM_KINDS:
        raise ValueError(f"unknown norm {kind!r}; expected one of {', '.join(NORM_KINDS)}")
    return kind != "batch"
