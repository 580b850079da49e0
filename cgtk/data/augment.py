"""The reference augmentations as pure tf ops driven by stateless seeds.

Every random choice takes an explicit ``[2]`` int64 seed, so a crop or flip is a
pure function of (run seed, epoch, position): the same element gets the same crop
in a resumed run.

>>> import tensorflow as tf
>>> x = tf.zeros([40, 50, 3])
>>> random_crop(x, 32, tf.constant([1, 2], tf.int64))[0].shape.as_list()
[32, 32, 3]
"""
from __future__ import annotations

import tensorflow as tf


def to_float(image):
    """uint8 -> float32 in [-1, 1]."""
    return tf.cast(image, tf.float32) / 127.5 - 1.0


def resize(image, height, width):
    """Bicubic resize with antialiasing (float images in [-1, 1]); clipped to the range."""
    out = tf.image.resize(image, tf.stack([height, width]), method="bicubic", antialias=True)
    return tf.clip_by_value(out, -1.0, 1.0)


def quantize(image):
    """Round a [-1, 1] image to the 256 levels of an 8-bit file."""
    return tf.round((image + 1.0) * 127.5) / 127.5 - 1.0


def prepare(image, load_size: int | None, min_size: int):
    """Resize to ``load_size`` x ``load_size`` when set; then, if a side is below
    ``min_size``, scale up (keeping the aspect ratio) so the crop fits."""
    if load_size:
        image = resize(image, load_size, load_size)
    shape = tf.shape(image)
    h, w = shape[0], shape[1]
    short = tf.minimum(h, w)

    def grow():
        factor = tf.cast(min_size, tf.float32) / tf.cast(short, tf.float32)
        nh = tf.maximum(min_size, tf.cast(tf.math.ceil(tf.cast(h, tf.float32) * factor), tf.int32))
        nw = tf.maximum(min_size, tf.cast(tf.math.ceil(tf.cast(w, tf.float32) * factor), tf.int32))
        return resize(image, nh, nw)

    return tf.cond(short < min_size, grow, lambda: image)


def crop_offsets(shape, size: int, seed, multiple: int = 1):
    """Random top-left corner of a ``size`` crop, on a grid of ``multiple`` pixels."""
    h, w = shape[0], shape[1]
    max_y = (h - size) // multiple + 1
    max_x = (w - size) // multiple + 1
    y = tf.random.stateless_uniform([], seed, 0, max_y, dtype=tf.int32)
    x = tf.random.stateless_uniform([], tf.stack([seed[1], seed[0]]), 0, max_x, dtype=tf.int32)
    return y * multiple, x * multiple


def random_crop(image, size: int, seed, multiple: int = 1):
    """A random ``size`` x ``size`` crop; returns ``(crop, (y, x))``."""
    y, x = crop_offsets(tf.shape(image), size, seed, multiple)
    return image[y:y + size, x:x + size], (y, x)


def center_crop(image, size: int, multiple: int = 1):
    """The central ``size`` x ``size`` crop; returns ``(crop, (y, x))``."""
    shape = tf.shape(image)
    y = (shape[0] - size) // 2 // multiple * multiple
    x = (shape[1] - size) // 2 // multiple * multiple
    return image[y:y + size, x:x + size], (y, x)


def flip_coin(seed):
    """True with probability 1/2, from ``seed``."""
    return tf.random.stateless_uniform([], seed) < 0.5


def maybe_flip(image, coin):
    return tf.cond(coin, lambda: tf.reverse(image, axis=[1]), lambda: image)
