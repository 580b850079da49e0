"""Runs that resume everything: kill -9, SIGTERM, damaged checkpoints, NaN guard.

Every run here is `cgtk train` of the tiny test plugin on the paired demo data, with
dropout (seed-generator state) and flips (data augmentation) so that exact resume is a
real test of the whole state. The runs that are killed or signalled, the resumes after
kill -9 are real `cgtk` subprocesses; the other runs go through the same CLI entry
point in this process (TensorFlow) or in the tests' JAX interpreter
(``helpers.cli_in_process``, ``helpers.CliServer``).
"""
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import REPO, cli_in_process, env_with, run_cli

KILLER = REPO / "tests" / "runs" / "kill_at_step.py"
COMMON = ["--data", "demo", "--seed", "5", "--steps-per-epoch", "10", "--epochs", "3",
          "--checkpoint-every", "4", "--set", "dropout=0.5", "--set", "flip=true"]


def train(site, run_dir, *extra, backend="tensorflow", **env):
    """``cgtk train toy``: in this process on TensorFlow, in the JAX interpreter on JAX."""
    return cli_in_process("train", "toy", *COMMON, "--backend", backend, "--run-dir", run_dir,
                          *extra, paths=[site], backend=backend, **env)


def resume(site, run_dir, *extra):
    """``cgtk train --resume RUN_DIR`` of a TensorFlow run, in this process."""
    return cli_in_process("train", "--resume", run_dir, *extra, paths=[site])


def train_killed_at(step, site, run_dir, *, backend="tensorflow"):
    """The same run, SIGKILLed right after global step ``step`` (tests/runs/kill_at_step.py)."""
    args = ["train", "toy", *COMMON, "--backend", backend, "--run-dir", run_dir]
    return subprocess.run([sys.executable, str(KILLER), str(step), *map(str, args)],
                          env=env_with([site]), capture_output=True, text=True, timeout=900,
                          cwd=REPO)


def model_state(run_dir):
    last = sorted((run_dir / "checkpoints").glob("step-*"))[-1]
    with np.load(last / "state.npz") as f:
        return last.name, {k: f[k] for k in f.files}


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_kill_9_then_resume_equals_an_uninterrupted_run(toy_site, tmp_path, backend):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    done = train(toy_site, whole, backend=backend)
    assert done.returncode == 0, done.stderr[-2000:]
    crash = train_killed_at(14, toy_site, killed, backend=backend)
    assert crash.returncode == -signal.SIGKILL
    assert sorted(p.name for p in (killed / "checkpoints").glob("step-*"))[-1] == "step-000000012"
    resumed = run_cli("train", "--resume", killed, paths=[toy_site])
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "1 epoch and 2 of 10 steps done (12 steps); continuing epoch 2 of 3 at step 3" in resumed.stderr
    name_a, a = model_state(whole)
    name_b, b = model_state(killed)
    assert name_a == name_b == "step-000000030"
    assert a.keys() == b.keys()
    worst = max(float(np.max(np.abs(a[k].astype(np.float64) - b[k]))) for k in a)
    assert worst <= 1e-6, f"resumed run differs from the uninterrupted one by {worst}"
    # the metrics of the replayed steps were not duplicated
    steps = [int(line.split(",")[0]) for line in
             (killed / "metrics.csv").read_text().splitlines()[1:]]
    assert steps == sorted(set(steps))


def test_run_directory_contents_and_config(toy_site, tmp_path):
    run = tmp_path / "run"
    result = train(toy_site, run, "--epochs", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    names = {p.name for p in run.iterdir()}
    assert {"config.json", "checkpoints", "samples", "logs", "metrics.csv", "losses.png",
            "generator.keras"} <= names
    assert (run / "samples" / "epoch-001.png").stat().st_size > 0
    assert list((run / "logs").glob("events.out.tfevents.*"))
    assert (run / "losses.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    header = (run / "metrics.csv").read_text().splitlines()[0].split(",")
    assert {"step", "G_l1", "D", "lr_generator", "lr_discriminator"} <= set(header)
    record = json.loads((run / "config.json").read_text())
    # what `cgtk infer|eval RUN_DIR` and `cgtk train --resume` need, with no other flags
    assert record["plugin"]["name"] == "toy"
    assert record["data"]["origin"] == "demo" and record["data"]["kind"] == "paired"
    assert record["inference"]["generator"] == {"file": "generator.keras", "multiple": 1,
                                                "scale": 1, "description": "A -> B"}
    assert record["config"]["dropout"] == 0.5 and record["config"]["seed"] == 5
    for key in ("batch_size", "image_size", "backend", "precision", "seed"):
        assert key in record
    assert {"cgtk", "keras", "tensorflow"} <= set(record["versions"])
    again = resume(toy_site, run)
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_resume_refuses_changes_to_fixed_keys_and_warns_about_others(toy_site, tmp_path):
    run = tmp_path / "run"
    assert train(toy_site, run, "--epochs", "1").returncode == 0
    fixed = resume(toy_site, run, "--set", "width=16")
    assert fixed.returncode == 1 and "width cannot change when resuming" in fixed.stderr
    more = resume(toy_site, run, "--epochs", "2", "--set", "lambda_l1=5")
    assert more.returncode == 0, more.stderr[-2000:]
    assert "overriding lambda_l1: 10.0 -> 5.0" in more.stderr
    assert model_state(run)[0] == "step-000000020"


def test_sigterm_writes_a_checkpoint_and_resume_continues(toy_site, tmp_path):
    run = tmp_path / "run"
    cmd = [sys.executable, "-m", "cgtk.cli.main", "train", "toy", *COMMON, "--epochs", "500",
           "--run-dir", str(run)]
    proc = subprocess.Popen(cmd, env=env_with([toy_site]), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while time.time() < deadline and not list((run / "checkpoints").glob("step-*")):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err[-2000:]
    assert "resume with: cgtk train --resume" in err
    name, _ = model_state(run)
    stopped = int(name.split("-")[1])
    assert stopped > 0
    epochs = stopped // 10 + 2
    resumed = resume(toy_site, run, "--epochs", epochs)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert model_state(run)[0] == f"step-{epochs * 10:09d}"


def test_damaged_newest_checkpoint_falls_back_to_the_previous(toy_site, tmp_path):
    run = tmp_path / "run"
    assert train(toy_site, run, "--epochs", "1").returncode == 0
    checkpoints = sorted((run / "checkpoints").glob("step-*"))
    assert [c.name for c in checkpoints][-2:] == ["step-000000008", "step-000000010"]
    (checkpoints[-1] / "state.npz").write_bytes(b"truncated garbage")
    resumed = resume(toy_site, run, "--epochs", "2")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "skipping damaged checkpoint" in resumed.stderr and "step-000000010" in resumed.stderr
    assert "0 epochs and 8 of 10 steps done (8 steps); continuing epoch 1 of" in resumed.stderr
    assert model_state(run)[0] == "step-000000020"


def test_nan_stops_the_run_and_names_the_term(toy_site, tmp_path):
    run = tmp_path / "run"
    result = train(toy_site, run, "--set", "nan_at_step=6")
    assert result.returncode == 1
    assert "loss term 'G_l1' became nan at step 7" in result.stderr
    assert "Traceback" not in result.stderr
    # the last checkpoint predates the NaN
    assert model_state(run)[0] == "step-000000004"
