"""Bicubic resizing as the SR literature does it, and the bicubic baseline.

LR images are made from HR with ``tf.image.resize(method="bicubic", antialias=True)``
(Keys' cubic, a = -0.5, the kernel MATLAB's ``imresize`` uses, widened by the scale
when downscaling, as MATLAB's antialiasing does) and **rounded to uint8**, as the
literature saves its LR inputs as PNG. The baseline upscales them back the same way.

>>> import numpy as np
>>> hr = np.random.default_rng(0).integers(0, 256, (17, 18, 3), dtype=np.uint8)
>>> lr = bicubic_downscale(hr, 4)
>>> lr.shape, lr.dtype.name, bicubic_upscale(lr, 4).shape
((4, 4, 3), 'uint8', (16, 16, 3))
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cgtk.metrics.color import to_uint8
from cgtk.metrics.protocol import Protocol
from cgtk.metrics.sr import SRResult, evaluate_sr

IMAGE_SUFFIXES = (".png", ".bmp", ".jpg", ".jpeg", ".tif", ".tiff")


def modcrop(image, scale: int) -> np.ndarray:
    """Crop ``[..., H, W, C]`` at the bottom/right to multiples of ``scale``."""
    x = np.asarray(image)
    h, w = x.shape[-3], x.shape[-2]
    return x[..., : h - h % scale, : w - w % scale, :]


def _resize(image_uint8: np.ndarray, size) -> np.ndarray:
    import tensorflow as tf

    y = tf.image.resize(image_uint8.astype(np.float32), size, method="bicubic",
                        antialias=True).numpy()
    return np.clip(np.round(y), 0, 255).astype(np.uint8)


def bicubic_downscale(hr, scale: int) -> np.ndarray:
    """uint8 LR image(s) ``[..., H/s, W/s, 3]`` from HR (uint8 or [-1, 1] floats).

    HR is first cropped to a multiple of ``scale`` (:func:`modcrop`).
    """
    x = modcrop(to_uint8(hr), scale)
    return _resize(x, (x.shape[-3] // scale, x.shape[-2] // scale))


def bicubic_upscale(lr, scale: int) -> np.ndarray:
    """uint8 image(s) ``scale`` times larger, bicubic (the baseline's "SR" output)."""
    x = to_uint8(lr)
    return _resize(x, (x.shape[-3] * scale, x.shape[-2] * scale))


def load_images(folder) -> list[np.ndarray]:
    """All images in ``folder`` (sorted by name) as uint8 RGB arrays."""
    from PIL import Image

    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    images = []
    for p in paths:
        with Image.open(p) as im:
            images.append(np.asarray(im.convert("RGB")))
    return images


def bicubic_baseline(hr_images, scale: int, protocol: Protocol | None = None) -> SRResult:
    """Mean PSNR/SSIM of bicubic down- then up-scaling, under ``protocol``.

    Args:
        hr_images: HR images (a list of arrays of any sizes, a batch, or a folder).
        scale: the SR factor.
        protocol: default ``Protocol.sr(scale)`` (Y channel, ``scale`` px border crop).
    """
    if isinstance(hr_images, (str, Path)):
        hr_images = load_images(hr_images)
    elif not isinstance(hr_images, (list, tuple)):
        hr_images = list(np.asarray(hr_images)) if np.asarray(hr_images).ndim == 4 else [hr_images]
    protocol = protocol or Protocol.sr(scale)
    gts, outs = [], []
    for hr in hr_images:
        gt = modcrop(to_uint8(hr), scale)
        gts.append(gt)
        outs.append(bicubic_upscale(bicubic_downscale(gt, scale), scale))
    return evaluate_sr(outs, gts, protocol)
