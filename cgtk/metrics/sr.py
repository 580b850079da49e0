"""PSNR and SSIM under an explicit :class:`~cgtk.metrics.protocol.Protocol`.

The computation is ``tf.image.psnr`` / ``tf.image.ssim``; this module wraps them
with the SR literature's protocol: quantise to uint8 (round, clip), take the BT.601
Y channel as a float (optionally rounded, as MATLAB; or keep RGB), remove ``crop_border`` pixels from each border,
then measure with peak 255.

Images are numpy uint8 (``[H, W, 3]`` or ``[N, H, W, 3]``) or cgtk floats in [-1, 1]
(converted with ``round((x + 1) * 127.5)``, clipped). A list of images of different
sizes is fine.

>>> import numpy as np
>>> a = np.full((16, 16, 3), 100, np.uint8); b = a + 10
>>> round(psnr(a, b, Protocol(channel="rgb")), 2)   # 10 * log10(255**2 / 10**2)
28.13
>>> round(ssim(a, a, Protocol.sr(2)), 4)
1.0
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cgtk.metrics.color import rgb_to_y, to_uint8
from cgtk.metrics.protocol import Protocol


def prepare(image, protocol: Protocol) -> np.ndarray:
    """One image as measured: uint8, then Y (float64 ``[H, W, 1]``) or RGB, border-cropped."""
    x = to_uint8(image)
    if x.ndim != 3 or x.shape[-1] != 3:
        raise ValueError(f"expected an RGB image [H, W, 3], got shape {x.shape}")
    if protocol.channel == "y":
        x = rgb_to_y(x)[..., None]
        if protocol.round_y:
            x = np.round(x)
    else:
        x = x.astype(np.float64)
    c = protocol.crop_border
    if c:
        if x.shape[0] <= 2 * c or x.shape[1] <= 2 * c:
            raise ValueError(f"image {x.shape[:2]} is too small to crop {c} px from each border")
        x = x[c:-c, c:-c]
    return x


def _images(x) -> list:
    """A list of single images from one image, a batch or a list."""
    if isinstance(x, (list, tuple)):
        return list(x)
    x = np.asarray(x)
    return [x] if x.ndim == 3 else list(x)


def _pairs(a, b, protocol):
    xs, ys = _images(a), _images(b)
    if len(xs) != len(ys):
        raise ValueError(f"{len(xs)} images against {len(ys)}")
    for x, y in zip(xs, ys, strict=True):
        x, y = prepare(x, protocol), prepare(y, protocol)
        if x.shape != y.shape:
            raise ValueError(f"image shapes differ: {x.shape} vs {y.shape}")
        yield x.astype(np.float32), y.astype(np.float32)


def _single(a, values):
    single = not isinstance(a, (list, tuple)) and np.asarray(a).ndim == 3
    return float(values[0]) if single else np.asarray(values, dtype=np.float64)


def psnr(a, b, protocol: Protocol | None = None):
    """PSNR (dB) of ``a`` against ``b`` under ``protocol`` (default: RGB, no crop).

    A float for one image, an array of per-image values for a batch or list.
    Identical images give ``inf``.
    """
    import tensorflow as tf

    protocol = protocol or Protocol(channel="rgb")
    values = [float(tf.image.psnr(x, y, max_val=protocol.max_val))
              for x, y in _pairs(a, b, protocol)]
    return _single(a, values)


def ssim(a, b, protocol: Protocol | None = None):
    """SSIM of ``a`` against ``b`` under ``protocol`` (default: RGB, no crop).

    ``tf.image.ssim`` with the protocol's Gaussian window; RGB averages the channels.
    A float for one image, an array of per-image values for a batch or list.
    """
    import tensorflow as tf

    protocol = protocol or Protocol(channel="rgb")
    values = []
    for x, y in _pairs(a, b, protocol):
        if min(x.shape[:2]) < protocol.ssim_filter_size:
            raise ValueError(f"image {x.shape[:2]} (after cropping) is smaller than the "
                             f"{protocol.ssim_filter_size}x{protocol.ssim_filter_size} SSIM window")
        values.append(float(tf.image.ssim(
            tf.constant(x), tf.constant(y), max_val=protocol.max_val,
            filter_size=protocol.ssim_filter_size, filter_sigma=protocol.ssim_sigma,
            k1=protocol.ssim_k1, k2=protocol.ssim_k2)))
    return _single(a, values)


@dataclass
class SRResult:
    """Mean PSNR/SSIM over a set of images, the per-image values and the protocol."""

    psnr: float
    ssim: float
    n: int
    protocol: Protocol
    per_image_psnr: list = field(default_factory=list)
    per_image_ssim: list = field(default_factory=list)

    def __str__(self) -> str:
        return (f"PSNR {self.psnr:.2f} dB, SSIM {self.ssim:.4f} (n={self.n}; "
                f"protocol: {self.protocol})")

    def to_dict(self) -> dict:
        return {"psnr": self.psnr, "ssim": self.ssim, "n": self.n,
                "protocol": self.protocol.to_dict(), "per_image_psnr": self.per_image_psnr,
                "per_image_ssim": self.per_image_ssim}


def evaluate_sr(sr_images, hr_images, protocol: Protocol) -> SRResult:
    """Mean PSNR and SSIM of super-resolved images against ground truth."""
    sr_images, hr_images = _images(sr_images), _images(hr_images)
    p = [float(v) for v in psnr(sr_images, hr_images, protocol)]
    s = [float(v) for v in ssim(sr_images, hr_images, protocol)]
    return SRResult(psnr=float(np.mean(p)), ssim=float(np.mean(s)), n=len(p),
                    protocol=protocol, per_image_psnr=p, per_image_ssim=s)
