"""A progress bar for long commands (downloads, inference over a folder, evaluation,
export parity): rich's bar with an ETA on a terminal, plain lines otherwise (a log file,
CI, a pipe), where a redrawn bar would be noise.

Plain lines come at each tenth of the work and at least every ``every_s`` seconds,
plus one when the work is done::

    infer: 4/40 images (10%), 0:01 elapsed, ETA 0:09
    infer: 40/40 images, done in 0:10

>>> import io
>>> from rich.console import Console
>>> out = io.StringIO()
>>> with ProgressBar("infer", total=2, console=Console(file=out)) as bar:
...     bar.advance(); bar.advance()
>>> print(out.getvalue().splitlines()[-1].split(",")[0])
infer: 2/2 images
"""
from __future__ import annotations

import time

__all__ = ["ProgressBar"]


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


class ProgressBar:
    """``with ProgressBar("eval", total=n) as bar: ... bar.advance(1)``.

    ``total`` may be unknown (None) and grow later (:meth:`add_total`, e.g. one network
    after another); ``unit="bytes"`` shows sizes and a transfer speed. ``console`` is a
    rich Console (default: stderr); ``plain`` forces plain lines (default: when the
    console is not a terminal); ``enabled=False`` shows nothing.
    """

    def __init__(self, description: str, total: float | None = None, *, unit: str = "images",
                 completed: float = 0, console=None, plain: bool | None = None,
                 transient: bool = True, every_s: float = 10.0, enabled: bool = True):
        from rich.console import Console

        self.description, self.total, self.unit = description, total, unit
        self.completed = completed
        self.console = console if console is not None else Console(stderr=True)
        self.plain = (not self.console.is_terminal) if plain is None else plain
        self.transient, self.every_s, self.enabled = transient, every_s, enabled
        self._bar = self._task = None
        self._start = self._last_line = 0.0
        self._last_tenth = -1

    # ------------------------------------------------------------------ rich ---
    def _rich(self):
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        count = (DownloadColumn() if self.unit == "bytes"
                 else MofNCompleteColumn() if self.total else
                 TextColumn(f"{{task.completed:.0f}} {self.unit}"))
        columns = [TextColumn("{task.description}"), BarColumn(), count]
        if self.unit == "bytes":
            columns.append(TransferSpeedColumn())
        columns += [TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn()]
        return Progress(*columns, console=self.console, transient=self.transient)

    def __enter__(self):
        self._start = self._last_line = time.monotonic()
        if self.enabled and not self.plain:
            self._bar = self._rich()
            self._bar.__enter__()
            self._task = self._bar.add_task(self.description, total=self.total,
                                            completed=self.completed)
        return self

    def __exit__(self, exc_type, exc, tb):
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
        elif self.enabled and exc_type is None:
            self._line(done=True)
        return False

    # --------------------------------------------------------------- updates ---
    def advance(self, n: float = 1) -> None:
        self.update(completed=self.completed + n)

    __call__ = advance  # usable wherever a ``progress(n)`` callback is expected

    def add_total(self, n: float) -> None:
        """More work became known (``total`` grows; from unknown, it starts at ``n``)."""
        self.update(total=(self.total or 0) + n)

    def update(self, *, completed: float | None = None, total: float | None = None) -> None:
        if completed is not None:
            self.completed = completed
        if total is not None:
            self.total = total
        if self._bar is not None:
            self._bar.update(self._task, completed=self.completed, total=self.total)
        elif self.enabled and self.plain:
            self._maybe_line()

    # ---------------------------------------------------------------- plain ---
    def _count(self) -> str:
        if self.unit == "bytes":
            done = _bytes(self.completed)
            return f"{done} of {_bytes(self.total)}" if self.total else done
        done = f"{self.completed:.0f}"
        return f"{done}/{self.total:.0f} {self.unit}" if self.total else f"{done} {self.unit}"

    def _maybe_line(self) -> None:
        now = time.monotonic()
        tenth = int(10 * self.completed / self.total) if self.total else -1
        if not self.completed:
            return
        if (self.total and tenth > self._last_tenth and self.completed < self.total) or \
                now - self._last_line >= self.every_s:
            self._last_tenth = max(self._last_tenth, tenth)
            self._line()

    def _line(self, done: bool = False) -> None:
        now = time.monotonic()
        self._last_line = now
        elapsed = now - self._start
        if done:
            text = f"{self.description}: {self._count()}, done in {_clock(elapsed)}"
        else:
            text = f"{self.description}: {self._count()}"
            if self.total:
                text += f" ({100 * self.completed / self.total:.0f}%)"
            text += f", {_clock(elapsed)} elapsed"
            if self.total and self.completed:
                rest = elapsed * (self.total - self.completed) / self.completed
                text += f", ETA {_clock(rest)}"
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)
