"""``cgtk import``: the reference projects' PyTorch weights as a cgtk run directory
(no torch, no code from the file runs; see ``docs/import.md``).

>>> ImportRequest(plugin="cyclegan", files=["G.pth"], run_dir="runs/h2z").force
False
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cgtk.app.feedback import Feedback

__all__ = ["ImportRequest", "ImportResult", "import_weights"]


@dataclass
class ImportRequest:
    """``files``: one per inference network (``network``: the one a single file fills)."""

    plugin: str
    files: list
    run_dir: Path
    sets: list[str] = field(default_factory=list)
    network: str | None = None
    force: bool = False
    backend: str | None = None

    def __post_init__(self):
        self.files = [Path(f) for f in self.files]
        self.run_dir = Path(self.run_dir)


@dataclass
class ImportResult:
    """``imported``: per file, its architecture, sha256, key ``mapping``, ``inferred``
    options, ``ignored_keys`` and the ``network`` it filled."""

    run_dir: Path
    imported: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def inferred(self) -> dict:
        """Every option read off the files' shapes."""
        return {k: v for e in self.imported for k, v in e["inferred"].items()}


def import_weights(request: ImportRequest, feedback: Feedback | None = None) -> ImportResult:
    from cgtk.importing.api import import_weights as run_import

    feedback = feedback or Feedback()
    done = run_import(request.plugin, request.files, request.run_dir, sets=request.sets,
                      force=request.force, network=request.network, backend=request.backend)
    for note in done.notes:
        feedback.warn(note)
    return ImportResult(Path(done.run_dir), list(done.record.imported), list(done.notes))
