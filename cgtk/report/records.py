"""What ``cgtk eval`` and ``cgtk export`` leave in a run directory for the report:
``eval.json`` and ``exports.json``, each a list of the latest result per setting
(written atomically; an unreadable old file is replaced).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "config.json").write_text("{}")
>>> record_eval(d, {"data": {"name": "demo"}, "split": "test", "results": []})
>>> record_eval(d, {"data": {"name": "demo"}, "split": "test", "results": [1]})
>>> [e["results"] for e in json.loads((d / "eval.json").read_text())["evaluations"]]
[[1]]
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from cgtk.runs.rundir import CONFIG

__all__ = ["record_eval", "record_export", "is_run_dir"]


def is_run_dir(path) -> bool:
    path = Path(path)
    return path.is_dir() and (path / CONFIG).is_file()


def _update(path: Path, list_key: str, entry: dict, same) -> None:
    try:
        entries = json.loads(path.read_text()).get(list_key, [])
    except (OSError, ValueError, AttributeError):
        entries = []
    entries = [e for e in entries if not same(e)] + [entry]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({list_key: entries}, indent=2, default=str))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)    # only left when writing failed (disk full, ...)


def _eval_key(report: dict) -> tuple:
    return ((report.get("data") or {}).get("name"), report.get("split"),
            report.get("direction"), report.get("limit"))


def record_eval(run_dir, report: dict, *, direction=None, limit=None) -> None:
    """Keep ``report`` (``cgtk eval``'s JSON) in ``RUN_DIR/eval.json``, replacing an
    earlier one on the same data, split, direction and limit."""
    entry = {**report, "direction": direction, "limit": limit,
             "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    key = _eval_key(entry)
    _update(Path(run_dir) / "eval.json", "evaluations", entry, lambda e: _eval_key(e) == key)


def record_export(run_dir, report: dict) -> None:
    """Keep ``report`` (``cgtk export``'s JSON: output, network, parity) in
    ``RUN_DIR/exports.json``, replacing an earlier export to the same output."""
    entry = {**report, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    out = str(Path(entry.get("output", "")).resolve())
    _update(Path(run_dir) / "exports.json", "exports", entry,
            lambda e: str(Path(e.get("output", "")).resolve()) == out)
