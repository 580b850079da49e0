"""``cgtk report``: a run directory as one static HTML page.

The page has a header (plugin, backend, devices, precision, data, progress, wall time,
state), the loss curves per phase and term with a smoothing toggle, the sample grid of
every epoch, eval results with their protocol, networks, checkpoints and exports with
their parity figures, and the full config with where each value came from. It needs no
server and loads nothing from the network. ``cgtk train`` rewrites
``RUN_DIR/report.html`` at each sample interval (:class:`LiveReport`).

>>> import tempfile, pathlib, json
>>> run = pathlib.Path(tempfile.mkdtemp())
>>> _ = (run / "config.json").write_text(json.dumps({"plugin": {"name": "toy"}}))
>>> write_report(run).name
'report.html'
"""
from __future__ import annotations

import os
from pathlib import Path

from cgtk.report.gather import RunReport, gather

__all__ = ["write_report", "gather", "RunReport", "REPORT_FILE", "LiveReport"]

REPORT_FILE = "report.html"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def write_report(run_dir, output=None, *, inline: bool | None = None) -> Path:
    """Write the report of ``run_dir`` to ``output`` (default ``RUN_DIR/report.html``),
    atomically, and return its path. ``inline`` (default: only when ``output`` is
    outside the run directory) embeds the sample images as data URIs, so the file can
    be moved or mailed on its own."""
    from cgtk.report.render import render_html

    report = gather(run_dir)
    output = Path(output) if output is not None else report.path / REPORT_FILE
    if inline is None:
        inline = not _inside(output, report.path)
    page = render_html(report, output=output, inline=inline)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)    # only left when writing failed (disk full, ...)
    return output


def __getattr__(name):  # the callback is imported only by the trainer
    if name == "LiveReport":
        from cgtk.report.callback import LiveReport

        return LiveReport
    raise AttributeError(name)
