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
    from cgtk.backend_env import select_backend
    from cgtk.errors import CgtkError

    select_backend(backend)
    from cgtk import export as ex

    fmt = ex.normalise_format(fmt)
    path = ex.output_path(fmt, output)
    from cgtk.export_target import check_target, staged

    # --overwrite replaces only an earlier export of this format (docs/files.md)
    check_target(fmt, path, overwrite=overwrite, source=source)
    import keras

    ex.check_backend(fmt, keras.backend.backend())
    image = None
    if parity_image is not None:
        from cgtk.data.decode import BadImage, decode_file

        try:
            image = decode_file(parity_image)
        except BadImage as err:
            raise CgtkError(f"--parity-image {parity_image}: {err}") from None
    from cgtk.inference import load_network, open_source

    src = open_source(source)
    entry, model = load_network(src, direction)
    for note in src.notes:
        console.warn(note)
    console.info(f"exporting {entry.name} ({entry.description or 'inference network'}) "
                 f"as {fmt} on {keras.backend.backend()}...")
    from cgtk.progress import ProgressBar

    with staged(fmt, path, source=source) as tmp, \
            ProgressBar(f"export {fmt} + parity", unit="steps", console=console.err) as bar:
        parity = ex.export_with_parity(model, fmt, tmp, multiple=entry.multiple,
                                       image=image, no_dropout=no_dropout,
                                       tolerance=tolerance, progress=bar)
    report = {"source": str(source), "network": entry.name, "output": str(path),
              "backend": keras.backend.backend(), "multiple": entry.multiple,
              "scale": entry.scale, "parity": parity.to_dict()}
    from cgtk.report.records import is_run_dir, record_export

    if is_run_dir(source):  # for 'cgtk report': the export and its parity figures
        try:
            record_export(source, report)
        except OSError as err:
            console.warn(f"the export could not be recorded in {source}/exports.json: {err}")
    if as_json:
        console.print_json(report)
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
    if not parity.checks:
        return 0
    if not parity.ok:
        raise CgtkError(f"parity check failed: the {fmt} artifact differs from the Keras "
                        f"model by {parity.max_diff:.3g} > {parity.tolerance:g}",
                        hint=f"the artifact is left at {path} for inspection")
    return 0
