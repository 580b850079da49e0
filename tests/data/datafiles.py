"""Helpers that write real (good and bad) image files for the data tests."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def pattern(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A smooth-ish colour image with detail, uint8 [h, w, 3]."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    out = np.stack([
        127 + 120 * np.sin(xx / (3 + seed % 5) + yy / 7),
        127 + 120 * np.cos(yy / (4 + seed % 3)),
        (xx * 3 + yy * 5) % 256,
    ], -1)
    out += rng.normal(0, 8, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def save(path: Path, array: np.ndarray, fmt: str | None = None, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path, fmt, **kw)
    return path


def jpeg_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "JPEG", quality=95)
    return buf.getvalue()


def write_bad_files(folder: Path) -> dict[str, Path]:
    """Unusable files of every sort: truncated JPEG, zero bytes, a text file."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    data = jpeg_bytes(pattern(64, 64, 3))
    files["truncated"] = folder / "truncated.jpg"
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["empty"] = folder / "empty.jpg"
    files["empty"].write_bytes(b"")
    files["text"] = folder / "notes.png"
    files["text"].write_text("this is not an image\n")
    return files


def write_odd_files(folder: Path) -> dict[str, Path]:
    """Usable images in awkward formats and modes."""
    folder.mkdir(parents=True, exist_ok=True)
    rgb = pattern(48, 64, 1)
    files = {}
    files["png_as_jpg"] = folder / "png_as.jpg"
    Image.fromarray(rgb).save(files["png_as_jpg"], "PNG")
    files["gif"] = folder / "anim.gif"
    Image.fromarray(rgb).convert("P").save(files["gif"])
    files["gray"] = save(folder / "gray.png", rgb[..., 0])
    rgba = np.concatenate([rgb, np.full((48, 64, 1), 255, np.uint8)], -1)
    rgba[:10, :10, 3] = 0
    files["rgba"] = save(folder / "rgba.png", rgba)
    files["cmyk"] = folder / "cmyk.jpg"
    Image.fromarray(rgb).convert("CMYK").save(files["cmyk"], "JPEG")
    sixteen = (rgb[..., 1].astype(np.uint16) * 257)
    files["16bit"] = folder / "sixteen.png"
    Image.fromarray(sixteen).save(files["16bit"])
    files["palette"] = folder / "palette.png"
    Image.fromarray(rgb).convert("P").save(files["palette"])
    return files


def write_huge_png(path: Path, width: int, height: int) -> Path:
    """A small file that decodes to a huge gray image (all black): written row by row,
    so making it costs no memory. 13000 x 13000 is about 170 KB on disk."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    packer = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte 0, then black pixels
    parts = [packer.compress(row) for _ in range(height)]
    data = b"".join(parts) + packer.flush()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path
