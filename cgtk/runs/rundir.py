"""The run directory: where ``cgtk train`` writes everything.

::

    RUN_DIR/
      config.json      plugin, resolved config, data source, versions: enough for
                       `cgtk infer|eval RUN_DIR` and `cgtk train --resume RUN_DIR`
      checkpoints/     full training state (see cgtk.runs.checkpoint)
      samples/         epoch-001.png, ... sample grids on fixed held-out inputs
      logs/            TensorBoard scalars and images
      metrics.csv      one row per logging interval
      losses.png       every loss term over steps
      <name>.keras     the inference network(s), e.g. generator.keras, a2b.keras
      status.json      running / finished / stopped / crashed, wall time (cgtk.report)
      report.html      the run as one page, rewritten each epoch (cgtk report)
      eval.json        results of `cgtk eval RUN_DIR`; exports.json: of `cgtk export`
      .lock            held by the one `cgtk train` writing the run (cgtk.runs.lock)

>>> import tempfile, pathlib
>>> run = RunDir.create(pathlib.Path(tempfile.mkdtemp()) / "r")
>>> sorted(p.name for p in run.path.iterdir())
['checkpoints', 'logs', 'samples']
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from cgtk.errors import CgtkError
from cgtk.runs.lock import LOCK_NAME, RunLock
from cgtk.runs.record import CONFIG, RunRecord
from cgtk.runs.writes import writing

ASIDE_PREFIX = "before-restart-"
#: What a new run holds before it writes config.json (empty folders and the lock).
SKELETON = ("checkpoints", "samples", "logs", LOCK_NAME)


def is_run_dir(path) -> bool:
    """A folder ``cgtk train`` wrote: it has ``config.json``."""
    return (Path(path) / CONFIG).is_file()


def check_new_run_dir(path) -> None:
    """CgtkError unless ``path`` is new, empty, or only the skeleton of a run that
    stopped before writing its config. An existing run needs ``--resume``; a folder of
    other files is never written into (it would overwrite them or mix with them)."""
    path = Path(path)
    if not path.exists():
        return
    if not path.is_dir():
        raise CgtkError(f"--run-dir {path} is a file, not a folder")
    if is_run_dir(path):
        raise CgtkError(f"--run-dir {path} already holds a run",
                        hint="add --resume to continue it, or choose another --run-dir")
    foreign = sorted(p.name for p in path.iterdir()
                     if not (p.name in SKELETON and (p.is_file() if p.name == LOCK_NAME
                                                     else p.is_dir() and not any(p.iterdir()))))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3
                                          else "")
        raise CgtkError(f"--run-dir {path} is not empty and not a cgtk run (it holds "
                        f"{shown})", hint="choose a new or empty folder; cgtk never writes "
                        "a run into a folder of other files")


def default_run_dir(plugin: str, root: str | Path = "runs") -> Path:
    """``runs/PLUGIN-YYYYmmdd-HHMMSS`` (a suffix is added if it exists)."""
    base = Path(root) / f"{plugin}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


class RunDir:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.config_path = self.path / CONFIG
        self.checkpoints_dir = self.path / "checkpoints"
        self.samples_dir = self.path / "samples"
        self.logs_dir = self.path / "logs"
        self.metrics_csv = self.path / "metrics.csv"
        self.losses_png = self.path / "losses.png"
        self._lock: RunLock | None = None

    @classmethod
    def create(cls, path, *, exist_ok: bool = False, lock: bool = False) -> RunDir:
        """A new run at ``path``: a new or empty folder (``exist_ok``: also an existing
        run, as for a non-chief worker). With ``lock``, the run's lock is taken before
        the folder is checked, so two fresh runs into one folder cannot both pass."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise CgtkError(f"--run-dir {path} is a file, not a folder")
        if not exist_ok:
            check_new_run_dir(path)
        run = cls(path)
        run.path.mkdir(parents=True, exist_ok=True)
        if lock:
            run.lock()
            if not exist_ok:
                try:
                    check_new_run_dir(path)  # again, now that no one else can write it
                except CgtkError:
                    run.unlock()
                    raise
        for d in (run.checkpoints_dir, run.samples_dir, run.logs_dir):
            d.mkdir(parents=True, exist_ok=True)
        return run

    @classmethod
    def open(cls, path) -> RunDir:
        """An existing run; CgtkError if ``path`` is not one."""
        path = Path(path)
        if not path.is_dir():
            raise CgtkError(f"{path}: no such run directory")
        if not (path / CONFIG).is_file():
            raise CgtkError(f"{path} is not a cgtk run directory (it has no {CONFIG})",
                            hint="pass the folder 'cgtk train' wrote, e.g. runs/pix2pix-20260101-120000")
        run = cls(path)
        for d in (run.checkpoints_dir, run.samples_dir, run.logs_dir):
            d.mkdir(parents=True, exist_ok=True)
        return run

    def lock(self) -> RunLock:
        """Take the run's exclusive lock (see :mod:`cgtk.runs.lock`) for this process;
        :class:`~cgtk.runs.lock.RunLocked` if another process holds it."""
        if self._lock is None:
            self._lock = RunLock(self.path)
        return self._lock.acquire()

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.release()

    def set_aside(self) -> Path:
        """Move everything the run wrote except ``config.json`` into
        ``before-restart-YYYYmmdd-HHMMSS/`` (for ``--restart``): nothing is deleted."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target, n = self.path / f"{ASIDE_PREFIX}{stamp}", 1
        while target.exists():
            n += 1
            target = self.path / f"{ASIDE_PREFIX}{stamp}-{n}"
        target.mkdir()
        for entry in sorted(self.path.iterdir()):
            if entry.name in (CONFIG, LOCK_NAME) or entry.name.startswith(ASIDE_PREFIX):
                continue
            os.replace(entry, target / entry.name)
        for d in (self.checkpoints_dir, self.samples_dir, self.logs_dir):
            d.mkdir(parents=True, exist_ok=True)
        return target

    def read_record(self) -> RunRecord:
        """The run's :class:`~cgtk.runs.record.RunRecord` (CgtkError naming config.json if
        it is unreadable, not a record, or from a newer cgtk)."""
        return RunRecord.from_dict(self.read_config(), self.config_path)

    def write_record(self, record: RunRecord) -> None:
        """Write ``record`` to config.json atomically (a failed write leaves the old file)."""
        self.write_config(record.to_dict())

    def read_config(self) -> dict:
        """config.json as a plain dict: the legacy dict API (use :meth:`read_record`)."""
        try:
            return json.loads(self.config_path.read_text())
        except (OSError, ValueError) as err:
            raise CgtkError(f"{self.config_path}: unreadable ({err})") from None

    def write_config(self, record: dict) -> None:
        """Write a plain dict to config.json atomically: the legacy dict API (use
        :meth:`write_record`)."""
        tmp = self.config_path.with_suffix(".json.tmp")
        with writing(self.config_path, cleanup=[tmp]):
            tmp.write_text(json.dumps(record, indent=2, default=str))
            os.replace(tmp, self.config_path)

    def inference_path(self, name: str) -> Path:
        return self.path / f"{name}.keras"
