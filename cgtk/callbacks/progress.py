"""Training progress on ``trainer.console`` (stderr).

On a terminal: a rich progress bar for the current epoch (epoch e/E, step in epoch,
global step of total, images/s, ETA for the whole run) with the smoothed loss terms on
a second line, and one plain summary line left behind per epoch. Elsewhere (CI, log
files, ``console.is_terminal`` false): plain lines, at most one every ``plain_every``
seconds plus one per epoch, e.g.::

    epoch 1/5  step 120/600  G_gan=0.512 G_l1=0.0831 D=0.693  23.1 img/s  ETA 0:03:12

Loss terms are exponential moving averages over steps (``smoothing`` = span in steps).
``on_step`` only moves the bar: no device sync, no formatting.

>>> import io, types
>>> from rich.console import Console
>>> buf = io.StringIO()
>>> t = types.SimpleNamespace(console=Console(file=buf, force_terminal=False), epoch=0,
...     epochs=2, steps_per_epoch=10, total_steps=20, global_step=2, batch_size=4)
>>> p = Progress(); p.on_train_begin(t)
>>> p.on_logs(t, [{"step": 1, "epoch": 0, "time": 0.0, "G": 1.0},
...               {"step": 2, "epoch": 0, "time": 0.5, "G": 0.5}])
>>> buf.getvalue().split()[:5]
['epoch', '1/2', 'step', '2/20', 'G=0.9804']
"""
from __future__ import annotations

import datetime
import math
import sys
import time

from cgtk.callbacks.base import RESERVED_KEYS, Callback, summarize

__all__ = ["Progress", "format_duration"]


def format_duration(seconds) -> str:
    """``0:03:12``; ``-`` when unknown.

    >>> format_duration(192.4), format_duration(None)
    ('0:03:12', '-')
    """
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "-"
    return str(datetime.timedelta(seconds=int(round(seconds))))


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _fmt(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.4g}"


class Progress(Callback):
    def __init__(self, smoothing: int = 50, plain_every: float = 10.0):
        self.alpha = 2.0 / (max(1, smoothing) + 1)
        self.plain_every = plain_every
        self._bar = None
        self._task = None

    # -- state -------------------------------------------------------------------
    def on_train_begin(self, trainer):
        self.console = getattr(trainer, "console", None)
        if self.console is None:
            from rich.console import Console

            self.console = Console(stderr=True, highlight=False)
        self.ema: dict[str, float] = {}
        self.images_per_sec: float | None = None
        self.sec_per_step: float | None = None
        self._last = None                   # (step, time) of the previous interval's end
        self._epoch = None                  # 0-based epoch of the last logged row
        self._last_print = -math.inf
        self._start = time.time()
        self._start_step = int(getattr(trainer, "global_step", 0) or 0)
        if self.console.is_terminal:
            self._start_bar(trainer)

    def on_step(self, trainer):
        if self._bar is not None:
            self._bar.update(self._task, completed=self._in_epoch(trainer),
                             gstep=trainer.global_step)

    def on_logs(self, trainer, rows):
        if not rows:
            return
        for row in rows:
            for key, value in row.items():
                if key in RESERVED_KEYS or value is None:
                    continue
                value = float(value)
                old = self.ema.get(key)
                self.ema[key] = value if old is None or not math.isfinite(old) else (
                    old + self.alpha * (value - old))
        interval = summarize(trainer, rows)
        if interval.images_per_sec is not None:
            self.images_per_sec = interval.images_per_sec
        # seconds per step for the ETA includes the gaps between intervals
        # (checkpoints, samples), unlike images/s
        if self._last is not None and interval.step > self._last[0]:
            rate = (interval.time - self._last[1]) / (interval.step - self._last[0])
        elif interval.count > 1:
            rate = (interval.time - float(rows[0]["time"])) / (interval.count - 1)
        else:
            rate = None
        if rate is not None and rate > 0:
            self.sec_per_step = rate if self.sec_per_step is None else (
                0.7 * self.sec_per_step + 0.3 * rate)
        self._last = (interval.step, interval.time)
        # the rows' epoch: at an epoch's last flush the trainer has already moved on
        self._epoch = interval.epoch

        if self._bar is not None:
            self._bar.terms_text = self.terms_text()
            self._bar.update(self._task, completed=self._in_epoch(trainer),
                             gstep=trainer.global_step, speed=self._speed(),
                             eta=format_duration(self.eta(trainer)))
        else:
            now = time.monotonic()
            spe = getattr(trainer, "steps_per_epoch", None)
            epoch_done = bool(spe) and interval.step == (interval.epoch + 1) * spe
            # an epoch's last interval is followed by its epoch line: don't say it twice
            if now - self._last_print >= self.plain_every and not epoch_done:
                self._last_print = now
                self._print(self.line(trainer))

    def on_epoch_end(self, trainer, epoch):
        elapsed = format_duration(time.time() - self._start)
        self._print(self.line(trainer, epoch=epoch, eta=False) + f"  elapsed {elapsed}")
        self._last_print = time.monotonic()
        if self._bar is not None and epoch + 1 < (getattr(trainer, "epochs", None) or 0):
            fields = dict(self._bar.tasks[0].fields, epoch=self._epoch_text(trainer, epoch + 1))
            self._bar.reset(self._task, total=trainer.steps_per_epoch, completed=0, **fields)

    def on_train_end(self, trainer, status):
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if status != "finished":
            self._print(f"{status} at " + self.line(trainer, eta=False))

    # -- text --------------------------------------------------------------------
    def eta(self, trainer) -> float | None:
        total = getattr(trainer, "total_steps", None)
        if not total or self.sec_per_step is None:
            return None
        return max(0, total - trainer.global_step) * self.sec_per_step

    def terms_text(self) -> str:
        return " ".join(f"{k}={_fmt(v)}" for k, v in self.ema.items())

    def line(self, trainer, *, epoch=None, eta=True) -> str:
        if epoch is None:
            epoch = trainer.epoch if self._epoch is None else self._epoch
        parts = [self._epoch_text(trainer, epoch),
                 f"step {trainer.global_step}/{getattr(trainer, 'total_steps', None) or '?'}"]
        if self.ema:
            parts.append(self.terms_text())
        parts.append(self._speed())
        if eta:
            parts.append(f"ETA {format_duration(self.eta(trainer))}")
        return "  ".join(parts)

    def _speed(self) -> str:
        return "- img/s" if self.images_per_sec is None else f"{self.images_per_sec:.1f} img/s"

    @staticmethod
    def _epoch_text(trainer, epoch: int) -> str:
        """``epoch 3/5`` for 0-based ``epoch``; a trainer that stopped after its last
        epoch (its ``epoch`` is then ``epochs``) shows the last one, never ``epoch 2/1``."""
        epochs = getattr(trainer, "epochs", None)
        shown = min(epoch + 1, epochs) if epochs else epoch + 1
        return f"epoch {shown}/{epochs or '?'}"

    @staticmethod
    def _in_epoch(trainer) -> int:
        spe = getattr(trainer, "steps_per_epoch", None)
        if not spe:
            return trainer.global_step
        return min(spe, max(0, trainer.global_step - trainer.epoch * spe))

    def _print(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    # -- the bar -----------------------------------------------------------------
    def _start_bar(self, trainer):
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
        from rich.progress import Progress as RichProgress
        from rich.text import Text

        class _Bar(RichProgress):
            terms_text = ""

            def get_renderables(self):
                yield self.make_tasks_table(self.tasks)
                if self.terms_text:
                    yield Text("  " + self.terms_text, style="dim")

        total = getattr(trainer, "total_steps", None) or "?"
        self._bar = _Bar(
            TextColumn("[bold]{task.fields[epoch]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("step {task.fields[gstep]}/" + str(total)),
            TextColumn("{task.fields[speed]}"),
            TextColumn("ETA {task.fields[eta]}"),
            console=self.console, transient=True, refresh_per_second=4,
            # keep piped stdout (results, --json) out of the stderr display
            redirect_stdout=_isatty(sys.stdout), redirect_stderr=True)
        self._task = self._bar.add_task(
            "train", total=trainer.steps_per_epoch, completed=self._in_epoch(trainer),
            epoch=self._epoch_text(trainer, trainer.epoch), gstep=trainer.global_step,
            speed=self._speed(), eta="-")
        self._bar.start()
