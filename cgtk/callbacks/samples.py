"""Sample grids: one row per held-out input, one column per ``trainer.sample_columns()``
entry (input | output | reconstruction or target, in the trainer's order), titles on a
header strip.

Every cell is resized (nearest neighbour) to the largest column's size, so the small LR
input of super-resolution lines up with its output; cells smaller than ``min_size`` px
are further enlarged by an integer factor so 32-64 px training crops stay visible.

Sharing: :func:`sample_grid` renders the grid for the trainer's current step once and
caches it on the trainer as ``trainer.last_grid`` (a :class:`SampleGrid`: ``.step``,
``.image``);
:class:`Samples` and the TensorBoard callback both call it, so the model runs once per
epoch whichever of them runs first.

>>> import numpy as np, tempfile, pathlib
>>> cols = {"input": np.zeros((2, 8, 8, 3)), "output": np.ones((2, 16, 16, 3))}
>>> grid = write_grid(cols, pathlib.Path(tempfile.mkdtemp()) / "g.png", min_size=0)
>>> grid.shape[1], grid.dtype       # 2 columns of 16 px + 3 gaps of 2 px
(38, dtype('uint8'))
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cgtk.callbacks.base import Callback
from cgtk.runs.writes import writing

__all__ = ["Samples", "SampleGrid", "render_grid", "write_grid", "sample_grid", "to_uint8",
           "GAP"]

GAP = 2                 # px between cells and around the grid
BACKGROUND = 64         # dark grey: white, black and mid-grey images all keep visible edges
TEXT = (255, 255, 255)


def to_uint8(images) -> np.ndarray:
    """[-1, 1] floats -> uint8 (clipped); 1-channel images become RGB."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[None]
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    images = np.nan_to_num(images, nan=0.0)
    return np.round((np.clip(images, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def _resize(images: np.ndarray, height: int, width: int) -> np.ndarray:
    n, h, w, _ = images.shape
    if (h, w) == (height, width):
        return images
    if height % h == 0 and width % w == 0:     # exact nearest neighbour, fast
        return images.repeat(height // h, axis=1).repeat(width // w, axis=2)
    from PIL import Image

    return np.stack([np.asarray(Image.fromarray(im).resize((width, height), Image.NEAREST))
                     for im in images])


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 or no FreeType: the small bitmap font
        return ImageFont.load_default()


def _fit(draw, text: str, font, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…" if text else ""


def render_grid(columns: dict, *, min_size: int = 128, gap: int = GAP) -> np.ndarray:
    """The grid as a uint8 ``[H, W, 3]`` array (header strip included).

    ``columns`` maps a title to ``[N, H, W, C]`` images in [-1, 1]; all must have the
    same N. Width is ``ncols * cell_w + (ncols + 1) * gap``; height is
    ``header + nrows * cell_h + (nrows + 1) * gap``.
    """
    from PIL import Image, ImageDraw

    if not columns:
        raise ValueError("render_grid needs at least one column")
    titles = [str(t) for t in columns]
    images = [to_uint8(v) for v in columns.values()]
    counts = {im.shape[0] for im in images}
    if len(counts) != 1:
        raise ValueError(f"sample columns have different batch sizes: "
                         f"{ {t: im.shape[0] for t, im in zip(titles, images, strict=True)} }")
    rows = counts.pop()
    cell_h = max(im.shape[1] for im in images)
    cell_w = max(im.shape[2] for im in images)
    if min_size and min(cell_h, cell_w) < min_size:
        factor = math.ceil(min_size / min(cell_h, cell_w))
        cell_h, cell_w = cell_h * factor, cell_w * factor
    images = [_resize(im, cell_h, cell_w) for im in images]

    font_size = max(10, min(18, cell_w // 9))
    header = int(font_size * 1.5) + gap
    ncols = len(images)
    width = ncols * cell_w + (ncols + 1) * gap
    height = header + rows * cell_h + (rows + 1) * gap
    grid = np.full((height, width, 3), BACKGROUND, dtype=np.uint8)
    for c, im in enumerate(images):
        x = gap + c * (cell_w + gap)
        for r in range(rows):
            y = header + gap + r * (cell_h + gap)
            grid[y:y + cell_h, x:x + cell_w] = im[r]

    canvas = Image.fromarray(grid)
    draw = ImageDraw.Draw(canvas)
    font = _font(font_size)
    for c, title in enumerate(titles):
        x = gap + c * (cell_w + gap)
        text = _fit(draw, title, font, cell_w - 4)
        draw.text((x + cell_w / 2, header / 2 + gap / 2), text, fill=TEXT, font=font,
                  anchor="mm")
    return np.asarray(canvas)


def write_grid(columns: dict, path, **kwargs) -> np.ndarray:
    """Render ``columns`` (see :func:`render_grid`) and save a PNG at ``path``
    (atomically, so a viewer never sees half a file). Returns the uint8 grid."""
    grid = render_grid(columns, **kwargs)
    save_png(grid, path)
    return grid


def save_png(grid: np.ndarray, path) -> None:
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with writing(path, cleanup=[tmp]):  # a full disk: one line naming the file
        Image.fromarray(grid).save(tmp, format="PNG")
        os.replace(tmp, path)


@dataclass
class SampleGrid:
    step: int
    image: np.ndarray      # uint8 [H, W, 3]


def sample_grid(trainer, **kwargs) -> np.ndarray:
    """The grid for ``trainer.sample_columns()`` at ``trainer.global_step``, rendered
    once per step and cached as ``trainer.last_grid``."""
    cached = getattr(trainer, "last_grid", None)
    if isinstance(cached, SampleGrid) and cached.step == trainer.global_step:
        return cached.image
    image = render_grid(trainer.sample_columns(), **kwargs)
    try:
        trainer.last_grid = SampleGrid(trainer.global_step, image)
    except AttributeError:  # a trainer with __slots__: no sharing, still correct
        pass
    return image


class Samples(Callback):
    """Writes ``<run>/samples/epoch-001.png`` (1-based) every ``every`` epochs and after
    the last epoch."""

    def __init__(self, every: int = 1, directory=None):
        self.every = max(1, int(every))
        self.directory = Path(directory) if directory is not None else None

    def path_for(self, trainer, epoch: int) -> Path:
        directory = self.directory or Path(trainer.run.samples_dir)
        return directory / f"epoch-{epoch + 1:03d}.png"

    def on_epoch_end(self, trainer, epoch):
        last = epoch + 1 >= (getattr(trainer, "epochs", None) or 0)
        if (epoch + 1) % self.every and not last:
            return
        save_png(sample_grid(trainer), self.path_for(trainer, epoch))
