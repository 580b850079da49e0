"""The callback protocol the trainer drives, and the per-interval summary callbacks share.

The trainer calls, in this order: ``on_train_begin`` once; ``on_step`` after every
step (must be cheap: no device sync); ``on_logs`` every ``log_every`` steps (and
before checkpoints and at epoch end) with one row per step since the last call;
``on_epoch_end`` after each epoch's last ``on_logs``; ``on_train_end`` once, with
``"finished"``, ``"interrupted"`` or ``"failed"``. The trainer calls each callback in
turn; every ``on_train_end`` runs even when one raises (that error is printed, never
raised in place of the run's outcome).

A row is ``{"step": int (1-based), "epoch": int (0-based), "time": float, **terms}``
where each term is a python float (``"G_gan"``, ``"D"``, ``"loss_generator"``, ...).

>>> rows = [{"step": 1, "epoch": 0, "time": 10.0, "G": 1.0},
...         {"step": 2, "epoch": 0, "time": 10.5, "G": 3.0},
...         {"step": 3, "epoch": 0, "time": 11.0, "G": 2.0}]
>>> s = summarize_rows(rows, batch_size=4)
>>> s.step, s.epoch, s.means, s.images_per_sec
(3, 0, {'G': 2.0}, 8.0)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["Callback", "Interval", "RESERVED_KEYS",
           "summarize_rows", "summarize"]

RESERVED_KEYS = ("step", "epoch", "time")


class Callback:
    """Base class: every hook is a no-op; override the ones you need."""

    def on_train_begin(self, trainer) -> None:
        pass

    def on_logs(self, trainer, rows: list[dict]) -> None:
        pass

    def on_step(self, trainer) -> None:
        pass

    def on_epoch_end(self, trainer, epoch: int) -> None:
        pass

    def on_train_end(self, trainer, status: str) -> None:
        pass


@dataclass
class Interval:
    """What happened over one ``on_logs`` call.

    ``step``/``epoch``/``time`` are the last row's; ``means`` the mean of each term
    over the rows that have it (NaN-propagating, so a NaN loss shows); ``images_per_sec``
    is None when it cannot be measured yet; ``learning_rates`` is ``{phase: lr}``.
    """

    step: int
    epoch: int
    time: float
    first_step: int
    count: int
    means: dict = field(default_factory=dict)
    images_per_sec: float | None = None
    learning_rates: dict = field(default_factory=dict)


def summarize_rows(rows, batch_size=None, previous_time=None) -> Interval:
    """Summarize ``rows`` (non-empty) without touching a trainer.

    Throughput is measured *inside* the interval: ``(n - 1) * batch / (t_last - t_first)``,
    so time spent between intervals (checkpoints, sample grids, evaluation) and the
    first step's compilation do not drag it down. With a single row it falls back to
    ``previous_time`` (the previous interval's last row time), if known.
    """
    last = rows[-1]
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for row in rows:
        for key, value in row.items():
            if key in RESERVED_KEYS or value is None:
                continue
            sums[key] = sums.get(key, 0.0) + float(value)
            counts[key] = counts.get(key, 0) + 1
    means = {k: sums[k] / counts[k] for k in sums}
    rate = None
    if batch_size:
        if len(rows) >= 2:
            dt = float(rows[-1]["time"]) - float(rows[0]["time"])
            steps = len(rows) - 1
        elif previous_time is not None:
            dt = float(last["time"]) - float(previous_time)
            steps = 1
        else:
            dt = steps = 0
        if steps and dt > 0 and math.isfinite(dt):
            rate = steps * batch_size / dt
    return Interval(step=int(last["step"]), epoch=int(last.get("epoch", 0)),
                    time=float(last["time"]), first_step=int(rows[0]["step"]),
                    count=len(rows), means=means, images_per_sec=rate)


# One-entry cache: the trainer hands the same ``rows`` list to every callback in one
# dispatch, so the summary (and the possibly-syncing ``learning_rates()`` call) is
# computed once per interval however many callbacks ask.
# The key also fingerprints the contents, in case the trainer reuses one list object.
_cache: dict = {"key": None, "trainer_id": None, "interval": None}


def _key(rows):
    return (id(rows), len(rows), rows[0]["step"], rows[-1]["step"], rows[-1]["time"])


def summarize(trainer, rows) -> Interval:
    """The :class:`Interval` for ``rows``, with the trainer's batch size and current
    learning rates; computed once per ``on_logs`` dispatch and shared by callbacks."""
    key = _key(rows)
    if _cache["key"] == key and _cache["trainer_id"] == id(trainer):
        return _cache["interval"]
    previous = _cache["interval"]
    previous_time = None
    if (previous is not None and _cache["trainer_id"] == id(trainer)
            and previous.step == int(rows[0]["step"]) - 1):
        previous_time = previous.time
    interval = summarize_rows(rows, getattr(trainer, "batch_size", None), previous_time)
    lr_fn = getattr(trainer, "learning_rates", None)
    if lr_fn is not None:
        interval.learning_rates = {str(k): float(v) for k, v in dict(lr_fn()).items()}
    _cache.update(key=key, trainer_id=id(trainer), interval=interval)
    return interval
