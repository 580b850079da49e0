"""The degradation operations on float images in [0, 1], ``[H, W, C]``, in TF.

>>> import tensorflow as tf
>>> from cgtk.data.degrade.kernels import pulse_kernel
>>> x = tf.random.stateless_uniform((9, 7, 3), (1, 2))
>>> float(tf.reduce_max(tf.abs(blur(x, pulse_kernel(21)) - x))) < 1e-6
True
"""
from __future__ import annotations

import tensorflow as tf

RESIZE_MODES = ("area", "bilinear", "bicubic")


def _edge_pad(x, p: int):
    """Replicate-pad ``x`` by ``p`` on both spatial axes (works for any image size)."""
    for axis in (0, 1):
        n = tf.shape(x)[axis]
        idx = tf.clip_by_value(tf.range(-p, n + p), 0, n - 1)
        x = tf.gather(x, idx, axis=axis)
    return x


def blur(x, kernel):
    """Convolve each channel of ``x`` with ``kernel`` ``[K, K]`` (edge padding)."""
    k = kernel.shape[0]
    c = x.shape[-1] or 3
    padded = _edge_pad(x, k // 2)[None]
    w = tf.tile(kernel[:, :, None, None], [1, 1, c, 1])
    return tf.nn.depthwise_conv2d(padded, w, [1, 1, 1, 1], "VALID")[0]


def resize(x, height, width, mode):
    """Resize to ``height x width`` with ``RESIZE_MODES[mode]`` (no antialiasing, as torch's
    ``interpolate``)."""
    size = tf.stack([tf.maximum(height, 1), tf.maximum(width, 1)])
    branches = [lambda m=m: tf.image.resize(x, size, method=m) for m in RESIZE_MODES]
    return tf.switch_case(mode, branches)


def gaussian_noise(x, sigma, gray, seed):
    """Add ``N(0, sigma^2)`` noise (``sigma`` on the [0, 1] scale); gray: one for all channels."""
    shape = tf.shape(x)
    color = tf.random.stateless_normal(shape, seed) * sigma
    mono = tf.random.stateless_normal(shape[:2], seed)[..., None] * sigma
    return x + tf.where(gray, tf.broadcast_to(mono, shape), color)


def poisson_noise(x, scale, gray, seed, levels: float = 256.0):
    """Add Poisson (shot) noise: ``(Poisson(x * levels) / levels - x) * scale``.

    BasicSR takes ``levels`` as the next power of two of the image's distinct values (at
    most 256 for 8-bit images); here it is 256, the 8-bit bound.
    """
    xc = tf.clip_by_value(x, 0.0, 1.0)
    gray_img = tf.image.rgb_to_grayscale(xc) if (x.shape[-1] or 3) == 3 else xc
    src = tf.where(gray, tf.broadcast_to(gray_img, tf.shape(xc)), xc)
    noisy = tf.random.stateless_poisson(tf.shape(src), seed, src * levels,
                                        dtype=tf.float32) / levels
    noise = (noisy - src) * scale
    mono = tf.broadcast_to(noise[..., :1], tf.shape(xc))
    return x + tf.where(gray, mono, noise)


def jpeg(x, quality):
    """JPEG-compress and decode ``x`` (clipped to [0, 1]) at ``quality`` (int32 tensor)."""
    out = tf.image.adjust_jpeg_quality(tf.clip_by_value(x, 0.0, 1.0), quality)
    out.set_shape(x.shape)
    return out
