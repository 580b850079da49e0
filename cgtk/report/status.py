"""``RUN_DIR/status.json``: whether a run is running, finished, stopped or crashed, and
its wall time over every session (a resume is a new session).

The live-report callback writes it when training begins, at each epoch end and when
training ends. A process killed outright (SIGKILL, power loss) cannot write its end, so
a record still saying ``running`` is read back as ``crashed`` when its process is gone
from this host (on another host, as ``running or crashed``).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> record = begin_session(d, step=0, now=100.0)
>>> record = end_session(d, "finished", step=50, now=160.0)
>>> summary = read_status(d)
>>> summary["state"], summary["wall_time_s"], summary["sessions"]
('finished', 60.0, 1)
"""
from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

__all__ = ["STATUS_FILE", "begin_session", "touch_session", "end_session", "read_status"]

STATUS_FILE = "status.json"
STATES = {"finished": "finished", "interrupted": "stopped", "failed": "crashed"}


def _path(run_dir) -> Path:
    return Path(run_dir) / STATUS_FILE


def _load(run_dir) -> dict:
    try:
        data = json.loads(_path(run_dir).read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(run_dir, record: dict) -> dict:
    path = _path(run_dir)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(record, indent=2))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)    # only left when writing failed (disk full, ...)
    return record


def begin_session(run_dir, *, step: int, now: float | None = None) -> dict:
    """A new session starts at global ``step``; an earlier session left ``running``
    (its process died) is closed as crashed at its last update."""
    now = time.time() if now is None else now
    record = _load(run_dir)
    sessions = record.get("sessions", [])
    for s in sessions:
        if s.get("state") == "running":
            s["state"], s["end"] = "crashed", s.get("updated", s.get("start"))
    sessions.append({"state": "running", "start": now, "updated": now, "end": None,
                     "from_step": step, "step": step, "pid": os.getpid(),
                     "host": socket.gethostname()})
    record.update(sessions=sessions, state="running", updated=now)
    return _save(run_dir, record)


def touch_session(run_dir, *, step: int, now: float | None = None) -> dict:
    """The current session is still running at global ``step``."""
    now = time.time() if now is None else now
    record = _load(run_dir)
    if not record.get("sessions"):
        return begin_session(run_dir, step=step, now=now)
    record["sessions"][-1].update(updated=now, step=step)
    record["updated"] = now
    return _save(run_dir, record)


def end_session(run_dir, status: str, *, step: int, now: float | None = None) -> dict:
    """Close the current session with the trainer's status (finished | interrupted |
    failed), recorded as finished | stopped | crashed."""
    now = time.time() if now is None else now
    record = _load(run_dir)
    if not record.get("sessions"):
        record = begin_session(run_dir, step=step, now=now)
    state = STATES.get(status, "crashed")
    record["sessions"][-1].update(state=state, updated=now, end=now, step=step)
    record.update(state=state, updated=now)
    return _save(run_dir, record)


def _alive(session: dict) -> bool | None:
    """True/False for a process on this host, None when it ran elsewhere."""
    if session.get("host") != socket.gethostname():
        return None
    try:
        os.kill(int(session["pid"]), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, KeyError, TypeError, ValueError):
        return True
    return True


def read_status(run_dir) -> dict:
    """``{"state", "wall_time_s", "sessions", "updated", "started"}``; ``state`` is
    ``unknown`` for a run that has no record (trained before it was kept)."""
    record = _load(run_dir)
    sessions = record.get("sessions") or []
    if not sessions:
        return {"state": "unknown", "wall_time_s": None, "sessions": 0, "updated": None,
                "started": None}
    state = record.get("state", "unknown")
    last = sessions[-1]
    if state == "running":
        alive = _alive(last)
        state = "crashed" if alive is False else ("running" if alive else "running or crashed")
    wall = 0.0
    for s in sessions:
        end = s.get("end") or s.get("updated") or s.get("start")
        wall += max(0.0, float(end) - float(s.get("start", end)))
    return {"state": state, "wall_time_s": wall, "sessions": len(sessions),
            "updated": record.get("updated"), "started": sessions[0].get("start")}
