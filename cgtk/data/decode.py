"""Robust image decoding: any image Pillow can read becomes 3-channel RGB uint8.

Grayscale, RGBA/LA (composited over white), palette, CMYK, 16-bit and
floating-point images are converted; the EXIF orientation is honoured. A file
that cannot be decoded raises :class:`BadImage` with a short reason, which the
scan (:mod:`cgtk.data.scan`) records and counts.

Decoding is capped at ``max_pixels`` (width x height, default
:data:`DEFAULT_MAX_PIXELS` = 40 MP): the size is read from the file's header and a
larger image is refused as a :class:`BadImage` before any pixel is decoded, so a
small file that claims a huge area (a "decompression bomb") costs no memory. It
is never downscaled: training skips and counts it like any unusable file, and
``cgtk infer`` skips and lists it.

>>> import io
>>> from PIL import Image
>>> buf = io.BytesIO(); Image.new("L", (4, 3), 128).save(buf, "PNG")
>>> decode_bytes(buf.getvalue()).shape
(3, 4, 3)
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np

DEFAULT_MAX_PIXELS = 40_000_000
"""The default decode cap in pixels (``--set max_pixels`` for training, ``cgtk infer
--max-pixels``); None means no cap."""

TF_FORMATS = ("JPEG", "PNG")
"""Formats the TensorFlow decoders read exactly like Pillow (for RGB and L images)."""


class BadImage(Exception):
    """A file that is not a usable image; ``str()`` is the reason."""


class TooLarge(BadImage):
    """An image whose header claims more pixels than the decode cap allows."""


def over_cap(width: int, height: int, max_pixels: int | None) -> str | None:
    """The reason a ``width`` x ``height`` image is above ``max_pixels``, else None.

    >>> over_cap(13000, 13000, 40_000_000)
    '13000x13000 is 169 MP, above the decode cap of 40 MP (max_pixels)'
    """
    if max_pixels is None or int(width) * int(height) <= max_pixels:
        return None
    return (f"{width}x{height} is {width * height / 1e6:.0f} MP, above the decode cap of "
            f"{max_pixels / 1e6:g} MP (max_pixels)")


def _open(source, max_pixels: int | None = DEFAULT_MAX_PIXELS):
    """Open and fully load an image; its size is checked against the cap first."""
    from PIL import Image, UnidentifiedImageError

    image = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(source)  # reads the header only
            reason = over_cap(*image.size, max_pixels)
            if reason:
                raise TooLarge(reason)
            image.load()
    except BaseException as err:
        if image is not None:
            image.close()
        if isinstance(err, UnidentifiedImageError):
            raise BadImage("not an image (unknown format)") from None
        if isinstance(err, OSError):
            text = str(err)
            if "truncated" in text.lower():
                raise BadImage("truncated image") from None
            raise BadImage(f"cannot decode: {text}") from None
        if isinstance(err, (ValueError, SyntaxError, MemoryError, Image.DecompressionBombError)):
            raise BadImage(f"cannot decode: {err}") from None
        raise
    return image


def to_rgb(image) -> np.ndarray:
    """A Pillow image as RGB uint8 ``[H, W, 3]``, orientation applied."""
    from PIL import Image, ImageOps

    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block: keep the pixels as stored
        pass
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        array = np.asarray(image)
        if mode == "F":
            lo, hi = float(np.nanmin(array)), float(np.nanmax(array))
            scaled = (array - lo) / (hi - lo or 1.0) * 255.0
        elif array.dtype == np.int32 and array.max(initial=0) <= 255:
            scaled = array
        else:
            scaled = array.astype(np.float64) / 257.0  # 16-bit -> 8-bit
        gray = np.clip(np.round(scaled), 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode == "P":
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.asarray(image, dtype=np.uint8).copy()


def decode_file(path: str | Path, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode one file to RGB uint8 ``[H, W, 3]``; raise :class:`BadImage` if unusable
    or larger than ``max_pixels`` (None: no cap)."""
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise BadImage("empty file (0 bytes)")
    except OSError as err:
        raise BadImage(f"cannot read: {err.strerror or err}") from None
    image = _open(path, max_pixels)
    try:
        return to_rgb(image)
    finally:
        image.close()


def decode_bytes(data: bytes, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode image bytes to RGB uint8 ``[H, W, 3]``; raise :class:`BadImage` if unusable
    or larger than ``max_pixels`` (None: no cap)."""
    if not data:
        raise BadImage("empty file (0 bytes)")
    return to_rgb(_open(io.BytesIO(data), max_pixels))


def probe(path: str | Path, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> dict:
    """Fully decode ``path`` once and describe it.

    Returns ``{"ok": True, "width", "height", "format", "mode", "tf": bool}`` where
    ``tf`` says the TensorFlow decoders give the same pixels (plain RGB or gray
    JPEG/PNG, no EXIF rotation), or ``{"ok": False, "reason": str}``. An image above
    ``max_pixels`` is not decoded: ``{"ok": False, "reason", "over_cap": max_pixels}``.
    """
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            return {"ok": False, "reason": "empty file (0 bytes)"}
        image = _open(path, max_pixels)
    except TooLarge as err:
        return {"ok": False, "reason": str(err), "over_cap": max_pixels}
    except BadImage as err:
        return {"ok": False, "reason": str(err)}
    except OSError as err:
        return {"ok": False, "reason": f"cannot read: {err.strerror or err}"}
    try:
        orientation = 1
        try:
            orientation = int(image.getexif().get(0x0112, 1) or 1)
        except Exception:
            orientation = 1
        fmt, mode = image.format or "?", image.mode
        width, height = image.size
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        if width < 1 or height < 1:
            return {"ok": False, "reason": "image has no pixels"}
        suffix_fmt = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}.get(path.suffix.lower())
        tf_ok = (fmt in TF_FORMATS and mode in ("RGB", "L") and orientation == 1
                 and suffix_fmt == fmt)
        return {"ok": True, "width": width, "height": height, "format": fmt, "mode": mode,
                "tf": bool(tf_ok)}
    finally:
        image.close()
