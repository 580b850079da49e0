"""status.json: running / finished / stopped / crashed and wall time over sessions."""
import json
import subprocess
import sys

from cgtk.report import status


def test_sessions_add_up_and_map_the_trainer_status(tmp_path):
    status.begin_session(tmp_path, step=0, now=100.0)
    status.touch_session(tmp_path, step=10, now=130.0)
    status.end_session(tmp_path, "interrupted", step=12, now=140.0)
    assert status.read_status(tmp_path)["state"] == "stopped"
    status.begin_session(tmp_path, step=12, now=1000.0)
    status.end_session(tmp_path, "finished", step=20, now=1020.0)
    summary = status.read_status(tmp_path)
    assert summary["state"] == "finished"
    assert summary["wall_time_s"] == 60.0 and summary["sessions"] == 2
    status.begin_session(tmp_path, step=20, now=2000.0)
    status.end_session(tmp_path, "failed", step=20, now=2001.0)
    assert status.read_status(tmp_path)["state"] == "crashed"


def test_a_killed_process_reads_as_crashed(tmp_path):
    status.begin_session(tmp_path, step=0, now=100.0)
    assert status.read_status(tmp_path)["state"] == "running"      # this process lives
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    record = json.loads((tmp_path / "status.json").read_text())
    record["sessions"][-1]["pid"] = gone.pid                         # as if killed -9
    (tmp_path / "status.json").write_text(json.dumps(record))
    assert status.read_status(tmp_path)["state"] == "crashed"
    status.begin_session(tmp_path, step=5, now=200.0)                # the resume
    record = json.loads((tmp_path / "status.json").read_text())
    assert [s["state"] for s in record["sessions"]] == ["crashed", "running"]


def test_no_record_is_unknown(tmp_path):
    assert status.read_status(tmp_path) == {"state": "unknown", "wall_time_s": None,
                                            "sessions": 0, "updated": None, "started": None}
