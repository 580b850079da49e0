"""``cgtk infer``: run a trained network on every image of a file or folder, at any size.

>>> InferRequest(source="runs/h2z", input="photos", output="out").fmt
'png'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cgtk.app.feedback import Feedback
from cgtk.errors import CgtkError

__all__ = ["InferRequest", "InferResult", "infer"]


@dataclass
class InferRequest:
    """What to run on what. ``direction``: the inference network's name (default: the
    run's first); ``tile``/``overlap`` in input pixels; ``max_pixels`` 0: no cap."""

    source: Path
    input: Path
    output: Path
    direction: str | None = None
    recursive: bool = False
    fmt: str = "png"
    quality: int = 95
    max_pixels: int = 40_000_000
    batch_size: int = 1
    tile: int | None = None
    overlap: int = 32
    overwrite: bool = False
    backend: str | None = None

    def __post_init__(self):
        self.source, self.input, self.output = (Path(self.source), Path(self.input),
                                                Path(self.output))


@dataclass
class InferResult:
    """``written``: ``(input, output)`` paths; ``skipped``: ``(input, reason)``; ``ignored``: non-image
    files left out of the walk."""

    network: str
    output: Path
    written: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    ignored: int = 0


def _check(request: InferRequest) -> str:
    if request.batch_size < 1:
        raise CgtkError(f"--batch-size {request.batch_size} must be at least 1")
    if not 1 <= request.quality <= 100:
        raise CgtkError(f"--quality {request.quality} must be between 1 and 100")
    if request.max_pixels < 0:
        raise CgtkError(f"--max-pixels {request.max_pixels} must be at least 0 (0: no cap)")
    if request.tile is not None and request.tile < 1:
        raise CgtkError(f"--tile {request.tile} must be a positive number of pixels")
    return request.fmt.lower().lstrip(".")


def infer(request: InferRequest, feedback: Feedback | None = None) -> InferResult:
    """Load the network, then write one output per readable input image."""
    from cgtk.backend_env import select_backend

    feedback = feedback or Feedback()
    select_backend(request.backend)
    fmt = _check(request)
    from cgtk.inference import (
        FORMATS,
        Predictor,
        check_input_output,
        check_output_dir,
        infer_files,
        list_inputs,
        load_network,
        open_source,
    )

    if fmt not in FORMATS:
        raise CgtkError(f"--format {fmt}: unknown image format",
                        hint=f"choose one of: {', '.join(FORMATS)}")
    src = open_source(request.source)
    check_input_output(request.input, request.output)  # the outputs never replace the inputs
    files, ignored = list_inputs(request.input, request.recursive, exclude=request.output)
    if not files:
        raise CgtkError(f"--input {request.input}: no image files found",
                        hint="add --recursive to read sub-folders" if not request.recursive
                        else None)
    check_output_dir(request.output, request.overwrite)
    entry, network = load_network(src, request.direction)
    for note in src.notes:
        feedback.warn(note)
    channels = int(network.inputs[0].shape[-1] or 3)
    tile, overlap = request.tile, request.overlap
    predictor = Predictor(network, multiple=entry.multiple, scale=entry.scale, tile=tile,
                          overlap=overlap, batch_size=request.batch_size)
    if tile:
        from cgtk.inference.tiles import tile_caveat

        caveat = tile_caveat(network)
        if caveat:
            feedback.warn(caveat)
    what = f"{entry.name}" + (f" ({entry.description})" if entry.description else "")
    feedback.info(f"{what}: {len(files)} image(s), multiple {entry.multiple}, scale "
                  f"{entry.scale}" + (f", tiles {tile} overlap {overlap}" if tile else ""))
    with feedback.progress("infer", total=len(files)) as bar:
        report = infer_files(predictor, files, request.output, fmt=fmt,
                             quality=request.quality, channels=channels,
                             progress=bar.advance, keep_gray=entry.scale > 1,
                             max_pixels=request.max_pixels or None)
    result = InferResult(entry.name, request.output, list(report.written),
                         list(report.skipped), ignored)
    if not result.written:
        for path, reason in result.skipped:
            feedback.warn(f"skipped {path}: {reason}")
        raise CgtkError(f"no image could be processed ({len(result.skipped)} unreadable)")
    return result
