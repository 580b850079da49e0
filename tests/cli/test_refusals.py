"""Values and paths cgtk refuses in one line naming the flag (issue 21 items 9, 10)."""
import pytest

from cgtk.cli.main import main


def one_error_line(capsys) -> str:
    """The one ``Error: ...`` line (progress notes may come before it)."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("Error: ") and "Traceback" not in err, err
    assert sum(line.startswith("Error") for line in lines) == 1, err
    return lines[-1]


@pytest.mark.parametrize("argv, message", [
    (["--steps-per-epoch", "0"], "--steps-per-epoch 0: steps_per_epoch must be at least 1"),
    (["--checkpoint-every", "0"], "--checkpoint-every 0: checkpoint_every must be at least 1"),
    (["--set", "lr=nan"], "--set lr=nan: lr: expected a finite float above 0"),
    (["--set", "lr=-0.001"], "--set lr=-0.001: lr must be above 0"),
    (["--set", "load_size=200"], "--set load_size=200: load_size=200 is below image_size=256"),
])
def test_train_refuses_out_of_range_values(tmp_path, capsys, argv, message):
    rc = main(["train", "pix2pix", "--data", "demo", "--run-dir", str(tmp_path / "run"), *argv])
    assert rc == 1
    assert message in one_error_line(capsys)
    assert not (tmp_path / "run").exists()


def test_resume_of_a_missing_folder_says_no_such_directory(tmp_path, capsys):
    assert main(["train", "--resume", str(tmp_path / "nonexistent")]) == 1
    assert f"--resume {tmp_path / 'nonexistent'}: no such directory" in one_error_line(capsys)
    assert main(["train", "--resume", str(tmp_path)]) == 1
    assert "not a cgtk run directory" in one_error_line(capsys)


@pytest.mark.parametrize("flag, value, message", [
    ("--quality", "500", "--quality 500 must be between 1 and 100"),
    ("--quality", "0", "--quality 0 must be between 1 and 100"),
    ("--max-pixels", "-1", "--max-pixels -1 must be at least 0"),
])
def test_infer_refuses_out_of_range_values(tmp_path, capsys, flag, value, message):
    rc = main(["infer", str(tmp_path / "net.keras"), "-i", str(tmp_path), "-o",
               str(tmp_path / "out"), flag, value])
    assert rc == 1
    assert message in one_error_line(capsys)
    assert not (tmp_path / "out").exists()
