"""``metrics.csv``: one row per logging interval.

Columns: ``step`` (last step of the interval, 1-based), ``epoch`` (**1-based**, as shown
by the progress bar and in ``samples/epoch-NNN.png``), ``time`` (unix time of the last
step), ``images_per_sec``, then the interval mean of every loss term, then ``lr_<phase>``.
A column that first appears later rewrites the file with the union header (earlier rows
get empty cells). On resume the trainer calls :meth:`MetricsCSV.truncate_after` with the
checkpoint's step, which drops the rows logged after that checkpoint; new rows append.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "metrics.csv"
>>> csv_cb = MetricsCSV(path)
>>> csv_cb.write_record({"step": 10, "epoch": 1, "time": 0.0, "G": 0.5})
>>> csv_cb.write_record({"step": 20, "epoch": 1, "time": 1.0, "G": 0.4, "D": 0.7})
>>> print(path.read_text().strip())
step,epoch,time,G,D
10,1,0.000,0.5,
20,1,1.000,0.4,0.7
"""
from __future__ import annotations

import csv
import math
import os
from pathlib import Path

from cgtk.callbacks.base import Callback, summarize

__all__ = ["MetricsCSV", "read_metrics"]

BASE_COLUMNS = ("step", "epoch", "time", "images_per_sec")


def _format(key, value) -> str:
    if value is None or value == "":
        return ""
    if key in ("step", "epoch"):
        return str(int(value))
    if isinstance(value, str):
        return value
    value = float(value)
    if key == "time":
        return f"{value:.3f}"
    if math.isnan(value):
        return "nan"
    return f"{value:.7g}"


def _order(keys) -> list[str]:
    """Base columns first, then terms (first-seen order), then ``lr_*`` columns."""
    keys = list(dict.fromkeys(keys))
    base = [k for k in BASE_COLUMNS if k in keys]
    lrs = [k for k in keys if k.startswith("lr_")]
    rest = [k for k in keys if k not in BASE_COLUMNS and not k.startswith("lr_")]
    return base + rest + lrs


def _step_of(row) -> int | None:
    try:
        return int(float(row.get("step") or ""))
    except (TypeError, ValueError):
        return None


def read_metrics(path) -> tuple[list[str], list[dict]]:
    """``(header, rows)`` of a metrics CSV; rows are dicts of strings. A missing file
    is empty; a torn last line (killed mid-write) is dropped."""
    path = Path(path)
    if not path.exists():
        return [], []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = [r for r in reader
                if _step_of(r) is not None and None not in r and None not in r.values()]
    return header, rows


class MetricsCSV(Callback):
    """Writes ``trainer.run.metrics_csv`` (or ``path``) every logging interval."""

    def __init__(self, path=None):
        self.path = Path(path) if path is not None else None
        self.header: list[str] | None = None
        self._pending_truncate: int | None = None

    # -- hooks -----------------------------------------------------------------
    def on_train_begin(self, trainer):
        if self.path is None:
            self.path = Path(trainer.run.metrics_csv)
        if self._pending_truncate is not None:
            step, self._pending_truncate = self._pending_truncate, None
            self.truncate_after(step)
        else:
            self.header = read_metrics(self.path)[0] or None

    def on_logs(self, trainer, rows):
        if not rows:
            return
        interval = summarize(trainer, rows)
        record = {"step": interval.step, "epoch": interval.epoch + 1, "time": interval.time,
                  "images_per_sec": interval.images_per_sec}
        record.update(interval.means)
        record.update({f"lr_{k}": v for k, v in interval.learning_rates.items()})
        self.write_record(record)

    # -- file operations ---------------------------------------------------------
    def write_record(self, record: dict) -> None:
        """Append one row, rewriting the file first if ``record`` brings new columns."""
        if self.header is None:
            self.header = read_metrics(self.path)[0] or None
        if self.header is None:
            self._rewrite(_order(record), [], extra=record)
            return
        if any(k not in self.header for k in record):
            _, old = read_metrics(self.path)
            self._rewrite(_order(list(self.header) + list(record)), old, extra=record)
            return
        with open(self.path, "a", newline="", encoding="utf-8") as f:
            csv.writer(f).writerow([_format(k, record.get(k)) for k in self.header])

    def truncate_after(self, step: int) -> None:
        """Drop rows with ``step > step`` (they were logged after the checkpoint being
        resumed). Safe to call before ``on_train_begin`` when no path was given: the
        truncation then happens there."""
        if self.path is None:
            self._pending_truncate = int(step)
            return
        header, rows = read_metrics(self.path)
        if not header:
            self.header = None
            return
        kept = [r for r in rows if _step_of(r) <= int(step)]
        self._rewrite(header, kept)

    def _rewrite(self, header, rows, extra=None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for row in rows:
                writer.writerow([row.get(k) or "" for k in header])
            if extra is not None:
                writer.writerow([_format(k, extra.get(k)) for k in header])
        os.replace(tmp, self.path)
        self.header = list(header)
