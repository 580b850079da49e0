"""``cgtk report RUN_DIR [--output FILE.html] [--open]``: a run as one static page."""
from __future__ import annotations

from pathlib import Path

import typer

from cgtk.cli import console


def report(
    run_dir: Path = typer.Argument(..., help="A run directory (from 'cgtk train')."),
    output: Path = typer.Option(None, "--output", "-o", help="Where to write the page "
                                "(default: RUN_DIR/report.html, which 'cgtk train' also "
                                "keeps current)."),
    inline: bool = typer.Option(None, "--inline/--link", help="Embed the sample images "
                                "in the page (default when --output is outside RUN_DIR) "
                                "or link them relative to it."),
    open_: bool = typer.Option(False, "--open", help="Open the page in the default browser."),
):
    """Write one self-contained HTML page for a run: header, loss curves (with a smoothing
    toggle), sample grids per epoch, eval results, checkpoints, exports with their parity
    figures and the full config with each value's source. No server, nothing downloaded."""
    from cgtk.app.report import ReportRequest
    from cgtk.app.report import report as write_report

    path = write_report(ReportRequest(run_dir, output, inline)).path
    console.out.print(f"wrote {path}")
    if open_:
        import webbrowser

        if not webbrowser.open(path.resolve().as_uri()):
            console.warn(f"no browser could be started; open {path.resolve().as_uri()}")
    return 0
