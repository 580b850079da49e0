"""``cgtk export``: write a deployable artifact of an inference network, then check it
against Keras in its own runtime (parity); a run records it in ``exports.json``.

>>> ExportRequest(source="runs/x", fmt="litert", output="x.tflite").overwrite
False
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cgtk.app.feedback import Feedback
from cgtk.errors import CgtkError

__all__ = ["ExportRequest", "ExportResult", "export"]


@dataclass
class ExportRequest:
    """See ``cgtk export --help`` for each field."""

    source: Path
    fmt: str
    output: Path
    direction: str | None = None
    parity_image: Path | None = None
    tolerance: float | None = None
    no_dropout: bool = False
    overwrite: bool = False
    backend: str | None = None

    def __post_init__(self):
        self.source, self.output = Path(self.source), Path(self.output)


@dataclass
class ExportResult:
    """``path``: the artifact; ``fmt``: the normalised format; ``parity``: the check
    (``checks``, ``max_diff``, ``tolerance``, ``ok``, ``note``); ``report``: both as JSON."""

    path: Path
    fmt: str
    parity: object
    report: dict

    @property
    def ok(self) -> bool:
        """No check ran (nothing to compare), or every check within the tolerance."""
        return not self.parity.checks or self.parity.ok


def export(request: ExportRequest, feedback: Feedback | None = None) -> ExportResult:
    """Export, check parity and record; a failed parity is ``result.ok == False`` (the
    artifact is kept for inspection)."""
    from cgtk.backend_env import select_backend

    feedback = feedback or Feedback()
    select_backend(request.backend)
    import keras

    from cgtk import export as ex

    backend = keras.backend.backend()
    from cgtk.export_target import check_target, staged

    fmt = ex.normalise_format(request.fmt)
    path = ex.output_path(fmt, request.output)
    # --overwrite replaces only an earlier export of this format (docs/files.md)
    check_target(fmt, path, overwrite=request.overwrite, source=request.source)
    ex.check_backend(fmt, backend)
    image = None
    if request.parity_image is not None:
        from cgtk.data.decode import BadImage, decode_file

        try:
            image = decode_file(request.parity_image)
        except BadImage as err:
            raise CgtkError(f"--parity-image {request.parity_image}: {err}") from None
    from cgtk.inference import load_network, open_source

    src = open_source(request.source)
    entry, model = load_network(src, request.direction)
    for note in src.notes:
        feedback.warn(note)
    feedback.info(f"exporting {entry.name} ({entry.description or 'inference network'}) "
                  f"as {fmt} on {backend}...")
    with staged(fmt, path, source=request.source) as tmp, \
            feedback.progress(f"export {fmt} + parity", unit="steps") as bar:
        parity = ex.export_with_parity(model, fmt, tmp, multiple=entry.multiple,
                                       image=image, no_dropout=request.no_dropout,
                                       tolerance=request.tolerance, progress=bar)
    report = {"source": str(request.source), "network": entry.name, "output": str(path),
              "backend": backend, "multiple": entry.multiple, "scale": entry.scale,
              "parity": parity.to_dict()}
    from cgtk.report.records import is_run_dir, record_export

    if is_run_dir(request.source):  # for 'cgtk report': the export and its parity figures
        try:
            record_export(request.source, report)
        except OSError as err:
            feedback.warn(f"the export could not be recorded in "
                          f"{request.source}/exports.json: {err}")
    return ExportResult(path, fmt, parity, report)
