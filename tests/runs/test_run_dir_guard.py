"""`--run-dir` writes only into a new or empty folder, or (with --resume) a cgtk run."""
import doctest

import pytest

import cgtk.runs.rundir
from cgtk.cli.main import main
from cgtk.errors import CgtkError
from cgtk.runs import check_new_run_dir


def test_docstring_example():
    result = doctest.testmod(cgtk.runs.rundir)
    assert result.attempted > 0 and result.failed == 0


def test_new_empty_and_skeleton_folders_are_accepted(tmp_path):
    check_new_run_dir(tmp_path / "new")
    check_new_run_dir(tmp_path)
    for name in ("checkpoints", "samples", "logs"):  # a run stopped before its config
        (tmp_path / name).mkdir()
    (tmp_path / ".lock").write_text("")
    check_new_run_dir(tmp_path)


@pytest.mark.parametrize("make, words", [
    (lambda d: (d / "metrics.csv").write_text("step,loss\n1,0.5\n"), "holds metrics.csv"),
    (lambda d: (d / "generator.keras").write_bytes(b"mine"), "holds generator.keras"),
    (lambda d: (d / "samples").mkdir() or (d / "samples" / "x.png").write_bytes(b"x"),
     "holds samples"),
    (lambda d: (d / "config.json").write_text("{}"), "already holds a run"),
])
def test_other_folders_are_refused(tmp_path, make, words):
    make(tmp_path)
    with pytest.raises(CgtkError, match=words):
        check_new_run_dir(tmp_path)


def test_train_into_a_folder_of_other_files_is_refused_and_changes_nothing(
        toy_site, tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    files = {"generator.keras": b"my own model", "losses.png": b"my plot",
             "metrics.csv": b"when,what\n1,x\n"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    code = main(["train", "toy", "--data", "demo", "--epochs", "1", "--steps-per-epoch", "2",
                 "--run-dir", str(folder)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"--run-dir {folder} is not empty and not a cgtk run" in err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files
