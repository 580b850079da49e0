"""`--resume` with no usable checkpoint is an error that changes nothing; `--restart`
trains the run again from step 0 and keeps its previous files aside."""
import shutil
from pathlib import Path

import pytest

from cgtk.cli.main import main

TRAIN = ["--data", "demo", "--epochs", "1", "--steps-per-epoch", "4",
         "--checkpoint-every", "2"]


def snapshot(run):
    """Every file of the run and its bytes (the lock file aside)."""
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*"))
            if p.is_file() and p.name != ".lock"}


@pytest.fixture(scope="module")
def trained_once(toy_site, tmp_path_factory):
    run = tmp_path_factory.mktemp("resume") / "run"
    assert main(["train", "toy", *TRAIN, "--run-dir", str(run)]) == 0
    return run


@pytest.fixture
def trained(trained_once, tmp_path):
    """A copy of the finished run for each test to damage."""
    return Path(shutil.copytree(trained_once, tmp_path / "run"))


def test_every_checkpoint_damaged_is_an_error_naming_them(trained, capsys):
    checkpoints = sorted((trained / "checkpoints").glob("step-*"))
    assert [c.name for c in checkpoints] == ["step-000000002", "step-000000004"]
    for c in checkpoints:
        (c / "state.npz").write_bytes(b"truncated")
    before = snapshot(trained)
    capsys.readouterr()
    assert main(["train", "--resume", str(trained), "--epochs", "2"]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, err
    for c in checkpoints:
        assert str(c / "state.npz") in lines[0]
    assert "no usable checkpoint" in lines[0] and "--restart" in lines[0]
    assert "starting from scratch" not in err and "Traceback" not in err
    assert snapshot(trained) == before  # generator.keras, config.json, metrics: untouched


def test_no_checkpoint_at_all_is_an_error_too(trained, capsys):
    for c in (trained / "checkpoints").glob("step-*"):
        for f in c.iterdir():
            f.unlink()
        c.rmdir()
    before = snapshot(trained)
    capsys.readouterr()
    assert main(["train", "--resume", str(trained)]) == 1
    assert "no checkpoint to resume from" in capsys.readouterr().err
    assert snapshot(trained) == before


def test_restart_trains_from_step_0_and_keeps_the_old_files(trained, capsys):
    for c in (trained / "checkpoints").glob("step-*"):
        (c / "state.npz").write_bytes(b"truncated")
    before = snapshot(trained)
    capsys.readouterr()
    assert main(["train", "--resume", str(trained), "--restart"]) == 0
    err = capsys.readouterr().err
    assert "--restart: training from step 0" in err
    aside = [p for p in trained.iterdir() if p.name.startswith("before-restart-")]
    assert len(aside) == 1
    kept = snapshot(aside[0])
    for name, data in before.items():
        if name != "config.json":
            assert kept[name] == data, name
    assert sorted(p.name for p in (trained / "checkpoints").glob("step-*")) == [
        "step-000000002", "step-000000004"]
    assert (trained / "generator.keras").read_bytes() != before["generator.keras"]


def test_restart_needs_resume(toy_site, tmp_path, capsys):
    assert main(["train", "toy", "--data", "demo", "--run-dir", str(tmp_path / "r"),
                 "--restart"]) == 1
    assert "--restart needs --resume" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
