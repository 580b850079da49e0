"""``cgtk data preview PLUGIN``: a PNG grid of the plugin's training (HR, LR) pairs
(:func:`cgtk.data.preview.preview`).

>>> PreviewRequest(plugin="realesrgan", output="p.png").n
8
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cgtk.app.feedback import Feedback

__all__ = ["PreviewRequest", "preview_data"]


@dataclass
class PreviewRequest:
    plugin: str
    output: Path
    data: str | None = None
    sets: list[str] = field(default_factory=list)
    n: int = 8
    seed: int = 0
    backend: str | None = None

    def __post_init__(self):
        self.output = Path(self.output)


def preview_data(request: PreviewRequest, feedback: Feedback | None = None) -> Path:
    """Write the grid; return its path. Skipped files are reported through ``feedback``."""
    from cgtk.backend_env import select_backend
    from cgtk.data.preview import preview

    feedback = feedback or Feedback()
    select_backend(request.backend)
    notes: list[str] = []
    path = preview(request.plugin, request.data, sets=request.sets, n=request.n,
                   seed=request.seed, output=request.output, notes=notes)
    for note in notes:
        feedback.warn(note)
    return path
