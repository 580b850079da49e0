"""In-memory synthetic batches for ``cgtk bench``: one batch of the plugin's data kind,
built with NumPy (no input pipeline, no TensorFlow) and reused for every step.

* ``unpaired`` / ``paired``: ``(a, b)``, both ``[B, S, S, 3]``;
* ``single``: ``(lr, hr)`` with ``lr`` ``[B, S/scale, S/scale, 3]`` (``config.scale``);
* ``style``: ``content`` ``[B, S, S, 3]``, plus ``extras["style_image"]`` ``[S, S, 3]``.

Images are smooth random patterns in [-1, 1] (float32, NHWC), so normalisation layers
see non-degenerate statistics.

>>> batch, extras = synthetic_batch("single", 2, 32, scale=4)
>>> [tuple(x.shape) for x in batch], extras
([(2, 8, 8, 3), (2, 32, 32, 3)], {})
"""
from __future__ import annotations

import numpy as np

from cgtk.errors import CgtkError


def random_images(n: int, size: int, seed: int = 0, channels: int = 3) -> np.ndarray:
    """``[n, size, size, channels]`` float32 in [-1, 1]: low-frequency noise plus a little grain."""
    rng = np.random.default_rng(seed)
    coarse = max(size // 8, 1)
    low = rng.uniform(-1, 1, (n, coarse, coarse, channels)).astype("float32")
    reps = -(-size // coarse)
    img = np.repeat(np.repeat(low, reps, axis=1), reps, axis=2)[:, :size, :size]
    img = 0.8 * img + 0.2 * rng.uniform(-1, 1, img.shape).astype("float32")
    return np.clip(img, -1.0, 1.0).astype("float32")


def synthetic_batch(kind: str, batch_size: int, image_size: int, *, scale: int | None = None,
                    seed: int = 0):
    """``(batch, extras)`` for a plugin of data kind ``kind`` (see the module docstring)."""
    if kind in ("unpaired", "paired"):
        return (random_images(batch_size, image_size, seed),
                random_images(batch_size, image_size, seed + 1)), {}
    if kind == "single":
        scale = int(scale or 4)
        if image_size % scale:
            raise CgtkError(f"--image-size {image_size} is not a multiple of the scale {scale}",
                            hint=f"use a multiple of {scale}")
        hr = random_images(batch_size, image_size, seed)
        n, h, w, c = hr.shape
        lr = hr.reshape(n, h // scale, scale, w // scale, scale, c).mean(axis=(2, 4))
        return (lr.astype("float32"), hr), {}
    if kind == "style":
        style = random_images(1, image_size, seed + 7)[0]
        return random_images(batch_size, image_size, seed), {"style_image": style}
    raise CgtkError(f"cgtk bench does not know the data kind {kind!r}")


def images_per_batch(batch) -> int:
    """The batch size of a synthetic batch (the first tensor's leading axis)."""
    first = batch[0] if isinstance(batch, (tuple, list)) else batch
    return int(first.shape[0])
