"""``cgtk report``: one self-contained HTML page for a run.

>>> ReportRequest(run_dir="runs/x").inline is None
True
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cgtk.errors import CgtkError

__all__ = ["ReportRequest", "ReportResult", "report"]


@dataclass
class ReportRequest:
    """``output``: default RUN_DIR/report.html (a folder gets report.html inside);
    ``inline``: embed the images (None: when the page is outside the run)."""

    run_dir: Path
    output: Path | None = None
    inline: bool | None = None

    def __post_init__(self):
        self.run_dir = Path(self.run_dir)
        self.output = None if self.output is None else Path(self.output)


@dataclass
class ReportResult:
    path: Path


def report(request: ReportRequest) -> ReportResult:
    from cgtk.report import write_report

    output = request.output
    if output is not None and output.is_dir():
        output = output / "report.html"
    try:
        path = write_report(request.run_dir, output, inline=request.inline)
    except OSError as err:
        raise CgtkError(f"--output {output or request.run_dir}: cannot write the report "
                        f"({err})") from None
    return ReportResult(Path(path))
