"""The run-directory lock: one writer per run, refused with the holder's PID, released
by the OS when the holder dies (kill -9 leaves no stale lock), and readers unaffected.

Every test here starts real processes: the lock is between processes.
"""
import doctest
import signal
import subprocess
import sys
import time

import pytest
from helpers import REPO, env_with, run_cli

import cgtk.runs.lock
from cgtk.cli.main import main
from cgtk.runs import RunLock, RunLocked

HOLD = """
import sys, time
from cgtk.runs.lock import RunLock
lock = RunLock(sys.argv[1]).acquire()
print("locked", flush=True)
time.sleep(600)
"""


def hold_lock(run_dir):
    """A plain Python process holding ``run_dir``'s lock (no TensorFlow: quick)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(run_dir)], env=env_with(),
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_docstring_example():
    result = doctest.testmod(cgtk.runs.lock)
    assert result.attempted > 0 and result.failed == 0


def test_a_second_process_is_refused_naming_the_pid_and_kill_9_frees_the_lock(tmp_path):
    holder = hold_lock(tmp_path)
    try:
        assert (tmp_path / ".lock").read_text().strip() == str(holder.pid)
        with pytest.raises(RunLocked) as refused:
            RunLock(tmp_path).acquire()
        assert refused.value.pid == holder.pid
        assert f"in use by another cgtk command (PID {holder.pid})" in str(refused.value)
        assert RunLock(tmp_path).holder() == holder.pid
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert holder.returncode == -signal.SIGKILL
    # the OS released the lock with the process: no stale lock, nothing to clean up
    assert RunLock(tmp_path).holder() is None
    with RunLock(tmp_path) as lock:
        assert lock.held and (tmp_path / ".lock").read_text().strip() != str(holder.pid)
    assert (tmp_path / ".lock").read_text() == ""  # released: no PID left to misread


def test_a_fresh_run_into_a_locked_folder_is_refused_before_writing(toy_site, tmp_path):
    """Two fresh runs into one --run-dir: the one that does not get the lock stops."""
    run = tmp_path / "run"
    run.mkdir()
    holder = hold_lock(run)
    try:
        code = main(["train", "toy", "--data", "demo", "--epochs", "1",
                     "--steps-per-epoch", "2", "--run-dir", str(run)])
        assert code == 1
        assert sorted(p.name for p in run.iterdir()) == [".lock"]
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_two_real_train_processes_one_run(toy_site, tmp_path, capsys):
    """`cgtk train` holds the lock throughout; a second `cgtk train --resume` of the same
    run is refused in one line naming the first one's PID and changes nothing, while
    `cgtk export` and `cgtk infer` read the locked run. kill -9 leaves no stale lock."""
    run = tmp_path / "run"
    cmd = [sys.executable, "-m", "cgtk.cli.main", "train", "toy", "--data", "demo",
           "--epochs", "1000", "--steps-per-epoch", "400", "--checkpoint-every", "50",
           "--run-dir", str(run)]
    first = subprocess.Popen(cmd, env=env_with([toy_site]), cwd=REPO,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 300
        while time.time() < deadline and not (run / "generator.keras").exists():
            assert first.poll() is None, first.stderr.read()[-2000:]
            time.sleep(0.2)
        assert RunLock(run).holder() == first.pid
        second = run_cli("train", "--resume", run, paths=[toy_site])
        assert second.returncode == 1
        err = [line for line in second.stderr.splitlines() if line.startswith("Error")]
        assert err == [f"Error: {run} is in use by another cgtk command (PID {first.pid}) "
                       "(wait for it to finish or stop it; two commands writing one run "
                       "would mix their checkpoints and logs)"], second.stderr[-2000:]
        assert "Traceback" not in second.stderr
        # readers never wait for the lock and read complete files only
        capsys.readouterr()
        assert main(["export", str(run), "-f", "keras", "-o", str(tmp_path / "g")]) == 0
        assert "parity OK" in capsys.readouterr().out
        images = tmp_path / "images"
        images.mkdir()
        from PIL import Image

        Image.new("RGB", (20, 12), (200, 30, 30)).save(images / "a.png")
        assert main(["infer", str(run), "--input", str(images),
                     "--output", str(tmp_path / "out")]) == 0
        assert (tmp_path / "out" / "a.png").is_file()
        assert first.poll() is None  # still training, undisturbed
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)
    assert RunLock(run).holder() is None
    from cgtk.callbacks import read_metrics

    steps = [int(row["step"]) for row in read_metrics(run / "metrics.csv")[1]]
    assert steps and steps == sorted(set(steps))  # one writer: no interleaved rows
