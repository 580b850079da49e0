"""``cgtk export SOURCE --format FMT --output PATH``: deployable artifacts, parity-checked."""
from __future__ import annotations

from pathlib import Path

import typer

from cgtk.cli import console


def export(
    source: Path = typer.Argument(..., help="A run directory or a .keras inference model."),
    fmt: str = typer.Option(..., "--format", "-f", help="keras | saved_model | litert "
                            "(alias tflite) | onnx."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write it (the "
                                "suffix .keras/.tflite/.onnx is added if missing; "
                                "saved_model: a folder)."),
    direction: str = typer.Option(None, "--direction", help="Which inference network "
                                  "(a name from the run's config.json). Default: the first."),
    parity_image: Path = typer.Option(None, "--parity-image", help="A real image for the "
                                      "parity check (default: a generated photo-like scene)."),
    tolerance: float = typer.Option(None, "--tolerance", help="Max allowed |exported - "
                                    "Keras| (default per format: keras 1e-6, saved_model "
                                    "1e-4, onnx 1e-3, litert 1e-3)."),
    no_dropout: bool = typer.Option(False, "--no-dropout", help="Export stochastic "
                                    "networks (pix2pix) with test-time dropout disabled."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing output."),
    as_json: bool = typer.Option(False, "--json", help="Print the parity report as JSON."),
    backend: str = typer.Option(None, "--backend", help="Keras backend: tensorflow "
                                "(default, any run) or jax (keras, saved_model; onnx with "
                                "jax2onnx)."),
):
    """Export an inference network, then check the artifact against Keras in its own
    runtime (TF, onnxruntime, the LiteRT interpreter); exit 1 if they differ."""
    from cgtk.app.export import ExportRequest
    from cgtk.app.export import export as run_export
    from cgtk.errors import CgtkError

    result = run_export(ExportRequest(
        source=source, fmt=fmt, output=output, direction=direction, parity_image=parity_image,
        tolerance=tolerance, no_dropout=no_dropout, overwrite=overwrite, backend=backend),
        console.feedback())
    parity, fmt, path = result.parity, result.fmt, result.path
    if as_json:
        console.print_json(result.report)
    else:
        console.out.print(f"wrote {path}")
        for label, shape, diff in parity.checks:
            console.out.print(f"  parity {label} {list(shape)}: max |{fmt} - keras| = "
                              f"{diff:.3g}")
        if parity.note:
            console.out.print(f"  note: {parity.note}")
        verdict = "OK" if parity.ok else "FAILED"
        console.out.print(f"parity {verdict}: max {parity.max_diff:.3g} (tolerance "
                          f"{parity.tolerance:g})")
    if not result.ok:
        raise CgtkError(f"parity check failed: the {fmt} artifact differs from the Keras "
                        f"model by {parity.max_diff:.3g} > {parity.tolerance:g}",
                        hint=f"the artifact is left at {path} for inspection")
    return 0
