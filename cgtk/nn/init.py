"""Weight initialisation of the reference implementation (``init_weights``).

pytorch-CycleGAN-and-pix2pix initialises every conv/transposed-conv kernel with one of
four schemes, every bias with zero, and every BatchNorm scale with ``N(1, gain)``
(whatever the scheme). :func:`initializer` returns the Keras equivalent of a scheme.

>>> from cgtk.nn import initializer
>>> init = initializer("normal", gain=0.02, seed=0)
>>> w = init((3, 3, 4, 8))
>>> tuple(w.shape)
(3, 3, 4, 8)
"""
from __future__ import annotations

import keras

INIT_KINDS = ("normal", "xavier", "kaiming", "orthogonal")


def initializer(kind: str = "normal", gain: float = 0.02, seed: int | None = None):
    """A fresh Keras initializer for conv kernels.

    - ``"normal"``: ``N(0, gain)`` (the reference default, gain 0.02).
    - ``"xavier"``: Glorot normal scaled by ``gain`` (untruncated, as
      ``torch.nn.init.xavier_normal_``): std = gain * sqrt(2 / (fan_in + fan_out)).
    - ``"kaiming"``: He normal, fan_in, untruncated (``kaiming_normal_(a=0,
      mode="fan_in")``); ``gain`` is ignored, as in the reference.
    - ``"orthogonal"``: orthogonal with multiplicative ``gain``.

    Always call this once per layer: an unseeded Keras initializer instance draws the
    same values on every call, so sharing one would make equal-shaped layers identical.

    >>> initializer("kaiming").get_config()["mode"]
    'fan_in'
    """
    if kind == "normal":
        return keras.initializers.RandomNormal(mean=0.0, stddev=gain, seed=seed)
    if kind == "xavier":
        return keras.initializers.VarianceScaling(
            scale=gain**2, mode="fan_avg", distribution="untruncated_normal", seed=seed)
    if kind == "kaiming":
        return keras.initializers.VarianceScaling(
            scale=2.0, mode="fan_in", distribution="untruncated_normal", seed=seed)
    if kind == "orthogonal":
        return keras.initializers.Orthogonal(gain=gain, seed=seed)
    raise ValueError(f"unknown init {kind!r}; expected one of {', '.join(INIT_KINDS)}")


def gamma_initializer(gain: float = 0.02, seed: int | None = None):
    """BatchNorm scale init of the reference: ``N(1, gain)``.

    >>> gamma_initializer(0.02).get_config()["mean"]
    1.0
    """
    return keras.initializers.RandomNormal(mean=1.0, stddev=gain, seed=seed)


class SeedSequence:
    """Hands out per-layer seeds: ``None`` forever when unseeded, else seed, seed+1, ...

    >>> s = SeedSequence(10)
    >>> [s(), s(), SeedSequence(None)()]
    [10, 11, None]
    """

    def __init__(self, seed: int | None = None):
        self.seed = seed
        self.count = 0

    def __call__(self) -> int | None:
        if self.seed is None:
            return None
        self.count += 1
        return self.seed + self.count - 1
