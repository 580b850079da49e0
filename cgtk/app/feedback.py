"""How a use case talks to the user while it runs: notes, warnings, progress bars.

The command line passes :class:`ConsoleFeedback` (rich, on stderr); library callers get
:class:`Feedback`, which says nothing.

>>> fb = Feedback()
>>> fb.info("preparing"); fb.warn("careful")
>>> with fb.progress("infer", total=2) as bar:
...     bar.advance()
"""
from __future__ import annotations

from cgtk.progress import ProgressBar


class Feedback:
    """Silent feedback. Subclasses override :meth:`info` and :meth:`warn`, and set
    ``console`` (a rich Console) for progress bars and the trainer's live output."""

    console = None

    def info(self, message: str) -> None:
        """Something worth knowing (what is about to happen, a count)."""

    def warn(self, message: str) -> None:
        """Something the user should check (an override, a skipped file)."""

    def progress(self, description: str, total: float | None = None, *,
                 unit: str = "images") -> ProgressBar:
        """A :class:`~cgtk.progress.ProgressBar`; hidden without a console."""
        return ProgressBar(description, total, unit=unit, console=self.console,
                           enabled=self.console is not None)


class ConsoleFeedback(Feedback):
    """Feedback on a rich console: ``info`` and ``warn`` lines, progress bars."""

    def __init__(self, console, *, info=None, warn=None):
        self.console = console
        self._info, self._warn = info, warn

    def info(self, message: str) -> None:
        if self._info is not None:
            self._info(message)

    def warn(self, message: str) -> None:
        if self._warn is not None:
            self._warn(message)
