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
                             "(input pixels), blended without seams. Use the largest N that "
                             "fits in memory: the overlap is computed twice, so small tiles "
                             "cost more per pixel (512: about 1.4x, 1024: about 1.2x)."),
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
    from cgtk.app.infer import InferRequest
    from cgtk.app.infer import infer as run_infer

    result = run_infer(InferRequest(
        source=source, input=input, output=output, direction=direction, recursive=recursive,
        fmt=fmt, quality=quality, max_pixels=max_pixels, batch_size=batch_size, tile=tile,
        overlap=overlap, overwrite=overwrite, backend=backend), console.feedback())
    for path, reason in result.skipped:
        console.warn(f"skipped {path}: {reason}")
    if result.ignored:
        console.info(f"ignored {result.ignored} non-image file(s)")
    console.out.print(f"wrote {len(result.written)} image(s) to {result.output}"
                      + (f"; skipped {len(result.skipped)} unreadable" if result.skipped
                         else ""))
    return 0
