"""Running an inference network on images of any size, in batches, and on folders.

>>> import numpy as np, keras
>>> inp = keras.Input((None, None, 3))
>>> net = keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same")(inp))
>>> p = Predictor(net, multiple=4)
>>> [y.shape for y in p([np.zeros((10, 13, 3), "float32")])]
[(10, 13, 3)]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cgtk.data.kinds import IMAGE_EXTENSIONS
from cgtk.errors import CgtkError
from cgtk.inference.tiles import pad_to_multiple, tiled_apply

#: ``--format`` values and the Pillow format each writes.
FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP", "bmp": "BMP",
           "tif": "TIFF", "tiff": "TIFF"}


class Predictor:
    """Runs ``network`` on float32 images in [-1, 1] of any size.

    Args:
        network: a Keras model ``[B, H, W, C] -> [B, sH, sW, C']``.
        multiple: input sides are reflect-padded to this multiple, outputs cropped back.
        scale: output size / input size.
        tile, overlap: run images in ``tile`` x ``tile`` tiles overlapping by ``overlap``
            (see :mod:`cgtk.inference.tiles`); ``tile=None`` runs whole images.
        batch_size: images (or tiles) per forward pass.
    """

    def __init__(self, network, *, multiple: int = 1, scale: int = 1, tile: int | None = None,
                 overlap: int = 32, batch_size: int = 1):
        self.network = network
        self.multiple = max(1, int(multiple))
        self.scale = max(1, int(scale))
        self.tile = int(tile) if tile else None
        self.overlap = int(overlap)
        self.batch_size = max(1, int(batch_size))
        import keras

        self._jax = keras.backend.backend() == "jax"

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """One forward pass on a padded batch."""
        batch = np.ascontiguousarray(batch, np.float32)
        if self._jax:  # compiled once per shape
            out = self.network.predict_on_batch(batch)
        else:  # eager: no retracing for every new image size
            out = self.network(batch, training=False)
        import keras

        return np.asarray(keras.ops.convert_to_numpy(out), np.float32)

    def __call__(self, images: list[np.ndarray]) -> list[np.ndarray]:
        """Outputs for a list of images; same-size images are batched together."""
        if self.tile:
            return [tiled_apply(self.forward, x, tile=self.tile, overlap=self.overlap,
                                multiple=self.multiple, scale=self.scale,
                                batch_size=self.batch_size) for x in images]
        outputs: list = [None] * len(images)
        groups: dict = {}
        for i, x in enumerate(images):
            groups.setdefault(x.shape, []).append(i)
        for indices in groups.values():
            for k in range(0, len(indices), self.batch_size):
                part = indices[k:k + self.batch_size]
                padded, (h, w) = pad_to_multiple(np.stack([images[i] for i in part]),
                                                 self.multiple)
                out = self.forward(padded)
                s = self.scale
                if out.shape[1] < h * s or out.shape[2] < w * s:
                    raise CgtkError(f"the network maps {padded.shape[1]}x{padded.shape[2]} "
                                    f"to {out.shape[1]}x{out.shape[2]}, expected scale {s}")
                for i, y in zip(part, out[:, :h * s, :w * s], strict=True):
                    outputs[i] = y
        return outputs


def to_float(image_uint8: np.ndarray) -> np.ndarray:
    return image_uint8.astype(np.float32) / 127.5 - 1.0


def to_uint8(image: np.ndarray) -> np.ndarray:
    """[-1, 1] floats to uint8 as cgtk saves them: ``round((x + 1) * 127.5)``, clipped."""
    from cgtk.metrics.color import to_uint8 as quantise

    x = quantise(image)
    if x.shape[-1] == 1:
        x = x[..., 0]
    return x


def list_inputs(path: Path, recursive: bool = False) -> tuple[list[tuple[Path, Path]], int]:
    """``([(file, path relative to the input root)], number of non-image files ignored)``."""
    path = Path(path).expanduser()
    if not path.exists():
        raise CgtkError(f"--input {path}: no such file or folder")
    if path.is_file():
        return [(path, Path(path.name))], 0
    pattern = "**/*" if recursive else "*"
    files, ignored = [], 0
    for p in sorted(path.glob(pattern)):
        rel = p.relative_to(path)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        if p.suffix.lower() in IMAGE_EXTENSIONS:
            files.append((p, rel))
        else:
            ignored += 1
    return files, ignored


def output_names(rels: list[Path], fmt: str) -> list[Path]:
    """Output paths (relative) that keep file names: ``a.jpg -> a.png``; clashes keep the
    old suffix (``a.jpg`` and ``a.png`` -> ``a.png`` and ``a.jpg.png``)."""
    ext = "." + fmt
    names, seen = [], set()
    for rel in rels:
        name = rel.with_suffix(ext)
        if str(name).lower() in seen:
            name = rel.with_name(rel.name + ext)
        seen.add(str(name).lower())
        names.append(name)
    return names


def save_image(image: np.ndarray, path: Path, fmt: str, quality: int = 95) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs = {"quality": int(quality)} if FORMATS[fmt] in ("JPEG", "WEBP") else {}
    tmp = path.with_name(f".tmp-{path.name}")
    Image.fromarray(to_uint8(image)).save(tmp, format=FORMATS[fmt], **kwargs)
    tmp.replace(path)


def check_output_dir(out_dir: Path, overwrite: bool) -> None:
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise CgtkError(f"--output {out_dir} is a file, expected a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise CgtkError(f"--output {out_dir} already holds files",
                        hint="add --overwrite to write into it anyway, or choose another folder")


@dataclass
class InferReport:
    written: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (path, reason)
    ignored: int = 0


def infer_files(predictor: Predictor, files: list[tuple[Path, Path]], out_dir: Path, *,
                fmt: str = "png", quality: int = 95, channels: int = 3,
                progress=None) -> InferReport:
    """Decode, run and save ``files`` (``[(path, relative name)]``) under ``out_dir``.

    Images of the same size are batched up to the predictor's batch size; undecodable
    files are skipped and listed in the report. ``progress(n)`` is called per image.
    """
    from cgtk.data.decode import BadImage, decode_file

    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise CgtkError(f"--format {fmt}: unknown image format",
                        hint=f"choose one of: {', '.join(FORMATS)}")
    report = InferReport()
    names = output_names([rel for _, rel in files], fmt)
    pending: list = []  # (image, out path, source)

    def flush():
        if not pending:
            return
        outs = predictor([p[0] for p in pending])
        for (_, target, src), y in zip(pending, outs, strict=True):
            save_image(y, target, fmt, quality)
            report.written.append((src, target))
            if progress:
                progress(1)
        pending.clear()

    for (src, _), name in zip(files, names, strict=True):
        try:
            x = to_float(decode_file(src))
        except BadImage as err:
            report.skipped.append((src, str(err)))
            if progress:
                progress(1)
            continue
        if channels == 1:
            x = (x @ np.array([0.2989, 0.587, 0.114], np.float32))[..., None]
        if pending and (pending[0][0].shape != x.shape or predictor.tile
                        or len(pending) >= predictor.batch_size):
            flush()
        pending.append((x, Path(out_dir) / name, src))
    flush()
    return report
