"""Blur kernels of Real-ESRGAN's degradation model (BasicSR ``degradations.py``), in TF.

Every kernel is computed on a fixed ``max_size`` grid (21, the reference's pad size),
zero outside its drawn odd size ``k`` (the reference pads its ``k x k`` kernel to 21
the same way), and normalised to sum 1.

* Gaussian (``exp(-M/2)``), generalised Gaussian (``exp(-M^beta / 2)``) and plateau
  (``1 / (1 + M^beta)``) kernels, with ``M = d^T S^-1 d`` for an isotropic (``S =
  sigma^2 I``) or anisotropic (rotated diagonal) covariance;
* the sinc (circular low-pass) kernel ``w J1(w r) / (2 pi r)``.

>>> import tensorflow as tf
>>> k = sinc_kernel(tf.constant(2.0), tf.constant(7), 21)
>>> round(float(tf.reduce_sum(k)), 4), k.shape.as_list()
(1.0, [21, 21])
"""
from __future__ import annotations

import math

import tensorflow as tf

#: The six mixed-kernel types and BasicSR's names for them.
KERNEL_TYPES = ("iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso",
                "plateau_aniso")


def _grid(max_size: int):
    r = max_size // 2
    ax = tf.range(-r, r + 1, dtype=tf.float32)
    yy, xx = tf.meshgrid(ax, ax, indexing="ij")
    return xx, yy


def _support(size, max_size: int):
    """1 inside the centred ``size x size`` window of the grid, else 0."""
    xx, yy = _grid(max_size)
    half = tf.cast(size // 2, tf.float32)
    return tf.cast((tf.abs(xx) <= half) & (tf.abs(yy) <= half), tf.float32)


def _normalise(kernel, size, max_size):
    kernel = kernel * _support(size, max_size)
    return kernel / tf.reduce_sum(kernel)


def mahalanobis(sigma_x, sigma_y, theta, max_size: int):
    """``M = d^T S^-1 d`` on the grid, ``S = R diag(sx^2, sy^2) R^T``, ``R`` rotating by theta."""
    xx, yy = _grid(max_size)
    c, s = tf.cos(theta), tf.sin(theta)
    u = c * xx + s * yy            # coordinates along the rotated axes
    v = -s * xx + c * yy
    return tf.square(u / sigma_x) + tf.square(v / sigma_y)


def mixed_kernel(kind, sigma_x, sigma_y, theta, beta, size, max_size: int = 21):
    """A kernel of type ``KERNEL_TYPES[kind]`` (``kind`` an int tensor)."""
    m = mahalanobis(sigma_x, sigma_y, theta, max_size)
    plateau = kind >= 4
    generalized = (kind == 2) | (kind == 3)
    b = tf.where(generalized | plateau, beta, 1.0)
    mb = tf.pow(m + 1e-12, b)
    kernel = tf.where(plateau, 1.0 / (1.0 + mb), tf.exp(-0.5 * mb))
    return _normalise(kernel, size, max_size)


def sinc_kernel(cutoff, size, max_size: int = 21):
    """The circular low-pass (sinc) kernel with cutoff ``cutoff`` (radians), normalised."""
    xx, yy = _grid(max_size)
    r = tf.sqrt(tf.square(xx) + tf.square(yy))
    safe = tf.where(r > 0, r, 1.0)
    kernel = cutoff * tf.math.special.bessel_j1(cutoff * safe) / (2.0 * math.pi * safe)
    kernel = tf.where(r > 0, kernel, tf.square(cutoff) / (4.0 * math.pi))
    return _normalise(kernel, size, max_size)


def pulse_kernel(max_size: int = 21):
    """The identity kernel (1 at the centre)."""
    xx, yy = _grid(max_size)
    return tf.cast((xx == 0) & (yy == 0), tf.float32)
