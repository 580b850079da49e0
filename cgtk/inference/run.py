"""Running an inference network on images of any size, in batches, and on folders.

>>> import numpy as np, keras
>>> inp = keras.Input((None, None, 3))
>>> net = keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same")(inp))
>>> p = Predictor(net, multiple=4)
>>> [y.shape for y in p([np.zeros((10, 13, 3), "float32")])]
[(10, 13, 3)]
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cgtk.data.decode import DEFAULT_MAX_PIXELS
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
        from cgtk.engine import backend

        # TensorFlow: one graph for every image size (no retracing per new size);
        # JAX: compiled once per shape (cgtk.engine.backend's inference_forward)
        self._forward = backend.current().inference_forward(network)

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """One forward pass on a padded batch."""
        import keras

        out = self._forward(np.ascontiguousarray(batch, np.float32))
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


GRAY_MODES = ("1", "L", "LA", "I", "I;16", "F")


def is_gray_file(path: Path) -> bool:
    """Whether ``path`` is stored as a gray image (its header's mode; False if unreadable)."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.mode in GRAY_MODES
    except Exception:  # noqa: BLE001 - decoding already succeeded or was reported
        return False


def list_inputs(path: Path, recursive: bool = False, exclude: Path | None = None
                ) -> tuple[list[tuple[Path, Path]], int]:
    """``([(file, path relative to the input root)], number of non-image files ignored)``.

    Nothing under ``exclude`` (the ``--output`` folder) is listed, so a second run never
    reads its own earlier outputs."""
    path = Path(path).expanduser()
    if not path.exists():
        raise CgtkError(f"--input {path}: no such file or folder")
    if path.is_file():
        return [(path, Path(path.name))], 0
    skip = Path(exclude).expanduser().resolve() if exclude is not None else None
    pattern = "**/*" if recursive else "*"
    files, ignored = [], 0
    for p in sorted(path.glob(pattern)):
        rel = p.relative_to(path)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        if skip is not None and skip in p.resolve().parents:
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


def check_input_output(input_path: Path, out_dir: Path) -> None:
    """CgtkError when writing into ``out_dir`` could replace the ``--input`` images: the
    same folder, or an input folder inside the output folder. (An output folder inside
    the input folder is fine: :func:`list_inputs` leaves it out.)"""
    src = Path(input_path).expanduser().resolve()
    out = Path(out_dir).expanduser().resolve()
    if src == out:
        raise CgtkError(f"--output {out_dir} is the --input folder: the outputs would "
                        "replace the input images", hint="choose another --output folder")
    if src.is_dir() and out in src.parents:
        raise CgtkError(f"--input {input_path} is inside --output {out_dir}: the outputs "
                        "could replace input images", hint="choose an --output folder "
                        "outside the input folder")


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
                progress=None, keep_gray: bool = False,
                max_pixels: int | None = DEFAULT_MAX_PIXELS) -> InferReport:
    """Decode, run and save ``files`` (``[(path, relative name)]``) under ``out_dir``.

    Images of the same size are batched up to the predictor's batch size; undecodable
    files, and images above ``max_pixels`` (None: no cap), are skipped and listed in the
    report. ``progress(n)`` is called per image.
    With ``keep_gray`` (super-resolution), a gray input file gives a gray output (the
    luminance of the network's RGB output); otherwise outputs have the network's channels.
    """
    from cgtk.data.decode import BadImage, decode_file

    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise CgtkError(f"--format {fmt}: unknown image format",
                        hint=f"choose one of: {', '.join(FORMATS)}")
    report = InferReport()
    names = output_names([rel for _, rel in files], fmt)
    sources = {src.resolve() for src, _ in files}
    for name in names:  # never write over an input image (e.g. --input d/a.png -o d)
        if (Path(out_dir) / name).resolve() in sources:
            raise CgtkError(f"--output {out_dir}: writing {Path(out_dir) / name} would "
                            "replace an input image", hint="choose another --output folder")
    pending: list = []  # (image, out path, source)
    writes: deque = deque()  # (future, out path, source), in input order

    def finish(job) -> None:
        future, target, src = job
        future.result()  # a failed write raises here, in the caller's thread
        report.written.append((src, target))
        if progress:
            progress(1)

    def write(y, target, src) -> None:
        if keep_gray and y.shape[-1] == 3 and is_gray_file(src):
            y = (y @ np.array([0.2989, 0.587, 0.114], np.float32))[..., None]
        save_image(y, target, fmt, quality)

    def flush() -> None:
        if not pending:
            return
        outs = predictor([p[0] for p in pending])
        for (_, target, src), y in zip(pending, outs, strict=True):
            writes.append((writer.submit(write, y, target, src), target, src))
            while len(writes) > WRITES_AHEAD:
                finish(writes.popleft())
        pending.clear()

    def decode(src):
        try:
            return to_float(decode_file(src, max_pixels)), None
        except BadImage as err:
            return None, str(err)

    # Decoding the next images and encoding the last outputs run in two threads beside
    # the forward pass (PIL and zlib release the GIL), so I/O does not stall the model.
    with ThreadPoolExecutor(1, thread_name_prefix="cgtk-decode") as reader, \
            ThreadPoolExecutor(1, thread_name_prefix="cgtk-write") as writer:
        try:
            decoded = _in_order(reader, decode, [src for src, _ in files], DECODE_AHEAD)
            for ((src, _), name), (x, error) in zip(zip(files, names, strict=True), decoded,
                                                    strict=True):
                if error is not None:
                    report.skipped.append((src, error))
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
            while writes:
                finish(writes.popleft())
        finally:
            for future, _, _ in writes:  # after an error: let nothing more start
                future.cancel()
    return report


#: Images decoded ahead of the forward pass, and outputs waiting to be encoded: small, so
#: memory stays bounded by a few images whatever the folder's size.
DECODE_AHEAD = 2
WRITES_AHEAD = 2


def _in_order(pool, fn, items: list, ahead: int):
    """``fn(item)`` for each item, in order, computed up to ``ahead`` items early."""
    futures: deque = deque()
    it = iter(items)
    for item in it:
        futures.append(pool.submit(fn, item))
        if len(futures) > ahead:
            yield futures.popleft().result()
    while futures:
        yield futures.popleft().result()
