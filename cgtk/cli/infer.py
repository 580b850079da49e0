"""``cgtk infer SOURCE --input FILE|DIR --output DIR``: run an inference network on images."""
from __future__ import annotations

from pathlib import Path

import typer

from cgtk.cli import console


def infer(
    source: Path = typer.Argument(..., help="A run directory (from 'cgtk train') or a "
                                  ".keras inference model."),
    input: Path = typer.Option(..., "--input", "-i", help="An image file or a folder of "
                               "images (pix2pix: the input-side images, e.g. A)."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for the outputs "
                                "(same file names, new extension)."),
    direction: str = typer.Option(None, "--direction", help="Which inference network: a "
                                  "name from the run's config.json (CycleGAN: a2b | b2a). "
                                  "Default: the first."),
    recursive: bool = typer.Option(False, "--recursive", "-r", help="Also read sub-folders, "
                                   "keeping their structure under --output."),
    fmt: str = typer.Option("png", "--format", help="Output format: png | jpg | webp | "
                            "bmp | tiff."),
    quality: int = typer.Option(95, "--quality", help="jpg/webp quality, 1 to 100."),
    max_pixels: int = typer.Option(40_000_000, "--max-pixels", help="Decode cap in pixels "
                                   "(width x height): a larger input is skipped and listed, "
                                   "never downscaled; 0: no cap."),
    batch_size: int = typer.Option(1, "--batch-size", "-b", help="Images (of one size) or "
                                   "tiles per forward pass."),
    tile: int = typer.Option(None, "--tile", help="Process large images in N x N tiles "
                             "(input pixels), blended without seams."),
    overlap: int = typer.Option(32, "--overlap", help="Overlap of neighbouring tiles in "
                                "input pixels (with --tile)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Write into an --output "
                                   "folder that already holds files."),
    backend: str = typer.Option(None, "--backend", help="Keras backend: tensorflow "
                                "(default) or jax."),
):
    """Run a trained network on every image of a file or folder, at any size.

    Outputs have the network's channels: a gray input stays gray for super-resolution
    and 1-channel networks; translation and style networks write RGB (their output
    has colour)."""
    from cgtk.backend_env import select_backend
    from cgtk.errors import CgtkError

    select_backend(backend)
    if batch_size < 1:
        raise CgtkError(f"--batch-size {batch_size} must be at least 1")
    if not 1 <= quality <= 100:
        raise CgtkError(f"--quality {quality} must be between 1 and 100")
    if max_pixels < 0:
        raise CgtkError(f"--max-pixels {max_pixels} must be at least 0 (0: no cap)")
    if tile is not None and tile < 1:
        raise CgtkError(f"--tile {tile} must be a positive number of pixels")
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

    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise CgtkError(f"--format {fmt}: unknown image format",
                        hint=f"choose one of: {', '.join(FORMATS)}")
    src = open_source(source)
    check_input_output(input, output)  # the outputs never replace the inputs
    files, ignored = list_inputs(input, recursive, exclude=output)
    if not files:
        raise CgtkError(f"--input {input}: no image files found",
                        hint="add --recursive to read sub-folders" if not recursive else None)
    check_output_dir(output, overwrite)
    entry, network = load_network(src, direction)
    for note in src.notes:
        console.warn(note)
    channels = int(network.inputs[0].shape[-1] or 3)
    predictor = Predictor(network, multiple=entry.multiple, scale=entry.scale, tile=tile,
                          overlap=overlap, batch_size=batch_size)
    if tile:
        from cgtk.inference.tiles import tile_caveat

        caveat = tile_caveat(network)
        if caveat:
            console.warn(caveat)
    what = f"{entry.name}" + (f" ({entry.description})" if entry.description else "")
    console.info(f"{what}: {len(files)} image(s), multiple {entry.multiple}, scale "
                 f"{entry.scale}" + (f", tiles {tile} overlap {overlap}" if tile else ""))
    from cgtk.progress import ProgressBar

    with ProgressBar("infer", total=len(files), console=console.err) as bar:
        report = infer_files(predictor, files, output, fmt=fmt, quality=quality,
                             channels=channels, progress=bar.advance,
                             keep_gray=entry.scale > 1, max_pixels=max_pixels or None)
    for path, reason in report.skipped:
        console.warn(f"skipped {path}: {reason}")
    if ignored:
        console.info(f"ignored {ignored} non-image file(s)")
    if not report.written:
        raise CgtkError(f"no image could be processed ({len(report.skipped)} unreadable)")
    console.out.print(f"wrote {len(report.written)} image(s) to {output}"
                      + (f"; skipped {len(report.skipped)} unreadable" if report.skipped
                         else ""))
    return 0
