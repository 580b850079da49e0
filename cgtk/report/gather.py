"""Everything the report shows, read from a run directory (nothing is imported from
Keras or TensorFlow, so ``cgtk report`` is fast and works while training runs).

What a run records, and where it is read from:

* ``config.json`` (a :class:`~cgtk.runs.record.RunRecord`): plugin, resolved config and
  ``provenance`` (where each value came from), backend, devices, precision, data source,
  versions;
* ``status.json``: running / finished / stopped / crashed, and wall time per session
  (:mod:`cgtk.report.status`);
* ``checkpoints/step-*/meta.json``: steps and epochs done;
* ``metrics.csv``: the loss curves; ``samples/epoch-NNN.png``: the sample strip;
* ``eval.json`` (written by ``cgtk eval RUN_DIR``) and ``exports.json`` (written by
  ``cgtk export RUN_DIR``).

A value a run did not record (an older run, or one killed before it wrote it) is
``None``, shown as "unknown".
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from cgtk.callbacks.loss_plot import phase_groups
from cgtk.callbacks.metrics_csv import BASE_COLUMNS, read_metrics
from cgtk.errors import CgtkError
from cgtk.report.status import read_status
from cgtk.runs.record import RunRecord
from cgtk.runs.rundir import CONFIG, RunDir

__all__ = ["RunReport", "gather", "EVAL_FILE", "EXPORTS_FILE"]

EVAL_FILE = "eval.json"
EXPORTS_FILE = "exports.json"
_SAMPLE = re.compile(r"^epoch-(\d+)\.png$")


@dataclass
class RunReport:
    path: Path
    record: RunRecord
    header: dict
    losses: dict
    samples: list = field(default_factory=list)       # [(epoch 1-based, Path)]
    config: list = field(default_factory=list)        # [(key, value, source)]
    evaluations: list = field(default_factory=list)
    checkpoints: list = field(default_factory=list)
    networks: list = field(default_factory=list)
    exports: list = field(default_factory=list)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _float(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _losses(csv_path: Path) -> dict:
    """``{"steps", "epochs", "groups": [{"phase", "series": [{"name", "values"}]}],
    "lr": [{"name", "values"}]}``; non-finite values become null."""
    header, rows = read_metrics(csv_path)
    rows = sorted(rows, key=lambda r: _float(r.get("step")) or 0)
    col = {k: [_float(r.get(k)) for r in rows] for k in header}
    terms = [k for k in header if k not in BASE_COLUMNS and not k.startswith("lr_")]
    groups = []
    for phase, names, total in phase_groups(terms):
        series = [{"name": n, "values": col[n]} for n in names]
        if total is not None and len(names) == 1 and col[names[0]] == col[total]:
            series[0]["alias"] = total          # one term: the phase total is the same curve
        elif total is not None:
            series.append({"name": total, "values": col[total], "total": True})
        groups.append({"phase": phase or "other", "series": series})
    return {"steps": col.get("step", []), "epochs": col.get("epoch", []), "groups": groups,
            "lr": [{"name": k[3:], "values": col[k]} for k in header if k.startswith("lr_")],
            "images_per_sec": col.get("images_per_sec", [])}


def _checkpoints(run: RunDir) -> list[dict]:
    out = []
    for meta_path in sorted(run.checkpoints_dir.glob("step-*/meta.json")):
        meta = _read_json(meta_path) or {}
        folder = meta_path.parent
        size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        out.append({"name": folder.name, "global_step": meta.get("global_step"),
                    "epoch": meta.get("epoch"), "step_in_epoch": meta.get("step_in_epoch"),
                    "finished": meta.get("finished"), "time": meta.get("time"),
                    "bytes": size})
    return sorted(out, key=lambda c: c["global_step"] or 0)


def _progress(record: RunRecord, checkpoints: list, losses: dict) -> dict:
    config = record.config
    last = checkpoints[-1] if checkpoints else {}
    logged = [s for s in losses["steps"] if s is not None]
    epochs_total = last.get("epochs") or config.get("epochs")
    return {"steps_done": last.get("global_step"),
            "epochs_done": last.get("epoch"),
            "step_in_epoch": last.get("step_in_epoch"),
            "steps_per_epoch": last.get("steps_per_epoch") or config.get("steps_per_epoch"),
            "epochs_total": epochs_total,
            "last_logged_step": int(max(logged)) if logged else None}


def _header(run: RunDir, record: RunRecord, checkpoints: list, losses: dict) -> dict:
    plugin = record.plugin
    dist = record.distribution
    data = record.data or {}
    devices = None
    if dist:
        devices = (f"{dist.get('replicas', '?')} x {dist.get('platform', '?')} "
                   f"({dist.get('kind', '?')}, {dist.get('processes', 1)} process(es))")
    source = data.get("name") or data.get("origin")
    if data.get("root"):
        source = f"{source} ({data['root']})"
    return {"plugin": plugin.name, "plugin_version": plugin.version,
            "plugin_dist": plugin.dist, "data_kind": plugin.data_kind,
            "backend": record.backend, "devices": devices,
            "precision": record.precision, "jit": record.jit,
            "data": source, "batch_size": record.batch_size,
            "image_size": record.image_size, "seed": record.seed,
            "created": record.created, "command": record.command or None,
            "versions": record.versions,
            **_progress(record, checkpoints, losses), **read_status(run.path)}


def _config_rows(record: RunRecord) -> list[tuple]:
    return [(k, v, record.provenance.get(k)) for k, v in record.config.items()]


def _samples(run: RunDir) -> list:
    found = []
    for p in run.samples_dir.glob("epoch-*.png"):
        m = _SAMPLE.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return sorted(found)


def _networks(run: RunDir, record: RunRecord) -> list[dict]:
    out = []
    for name, spec in record.inference.items():
        try:
            path = spec.path_in(run.path)
        except CgtkError:            # a record pointing outside the run: shown, not read
            path = None
        out.append({"name": name, "file": spec.file, "description": spec.description,
                    "multiple": spec.multiple, "scale": spec.scale,
                    "bytes": path.stat().st_size if path and path.is_file() else None})
    return out


def gather(run_dir) -> RunReport:
    """Read ``run_dir`` (a :class:`cgtk.CgtkError` if it is not a run)."""
    path = Path(getattr(run_dir, "path", run_dir))
    if not (path / CONFIG).is_file():
        RunDir.open(path)            # raises the usual "not a run directory" error
    run = RunDir(path)               # read only: creates nothing in the run
    record = run.read_record()
    checkpoints = _checkpoints(run)
    losses = _losses(run.metrics_csv)
    evaluations = (_read_json(run.path / EVAL_FILE) or {}).get("evaluations", [])
    exports = (_read_json(run.path / EXPORTS_FILE) or {}).get("exports", [])
    return RunReport(path=run.path, record=record,
                     header=_header(run, record, checkpoints, losses), losses=losses,
                     samples=_samples(run), config=_config_rows(record),
                     evaluations=evaluations, checkpoints=checkpoints,
                     networks=_networks(run, record), exports=exports)
