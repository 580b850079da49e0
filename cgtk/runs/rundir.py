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

CONFIG = "config.json"


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

    @classmethod
    def create(cls, path, *, exist_ok: bool = False) -> RunDir:
        path = Path(path)
        if path.exists() and (path / CONFIG).exists() and not exist_ok:
            raise CgtkError(f"--run-dir {path} already holds a run",
                            hint="add --resume to continue it, or choose another --run-dir")
        if path.exists() and not path.is_dir():
            raise CgtkError(f"--run-dir {path} is a file, not a folder")
        run = cls(path)
        for d in (run.path, run.checkpoints_dir, run.samples_dir, run.logs_dir):
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

    def read_config(self) -> dict:
        try:
            return json.loads(self.config_path.read_text())
        except (OSError, ValueError) as err:
            raise CgtkError(f"{self.config_path}: unreadable ({err})") from None

    def write_config(self, record: dict) -> None:
        tmp = self.config_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(record, indent=2, default=str))
        os.replace(tmp, self.config_path)

    def inference_path(self, name: str) -> Path:
        return self.path / f"{name}.keras"
