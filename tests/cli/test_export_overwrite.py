"""`cgtk export --overwrite` replaces only an earlier export of the same format: on
throwaway folders, every refusal is one line, exit 1, and everything still exists."""
import os
import shutil

import pytest

from cgtk.cli.main import main


def snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def run(toy_run, tmp_path):
    """A copy of the trained toy run, so that a failure here cannot harm other tests."""
    return shutil.copytree(toy_run, tmp_path / "run")


def one_error_line(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, err
    return lines[0]


def test_onto_the_run_directory_is_refused(run, capsys):
    before = snapshot(run)
    assert main(["export", str(run), "-f", "saved_model", "-o", str(run), "--overwrite"]) == 1
    assert "is or contains the source" in one_error_line(capsys)
    assert main(["export", str(run), "-f", "keras", "-o", str(run / "generator.keras"),
                 "--overwrite"]) == 1
    assert "inside the run directory" in one_error_line(capsys)
    assert snapshot(run) == before


def test_onto_the_current_folder_is_refused(run, tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "thesis.tex").write_text("years of work")
    monkeypatch.chdir(work)
    assert main(["export", str(run), "-f", "saved_model", "-o", ".", "--overwrite"]) == 1
    assert "current folder or a folder above it" in one_error_line(capsys)
    assert main(["export", str(run), "-f", "onnx", "-o", ".", "--overwrite"]) == 1
    assert "writes one file" in one_error_line(capsys)
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(run), "-f", "saved_model", "-o", str(tmp_path),
                 "--overwrite"]) == 1
    assert "current folder" in one_error_line(capsys)
    assert (work / "thesis.tex").read_text() == "years of work"
    assert os.path.isdir(run / "checkpoints")


def test_overwrite_replaces_a_previous_export_and_nothing_else(run, tmp_path, capsys):
    out = tmp_path / "exported" / "sm"
    assert main(["export", str(run), "-f", "saved_model", "-o", str(out)]) == 0
    assert (out / ".cgtk-export.json").is_file() and (out / "saved_model.pb").is_file()
    first = (out / "saved_model.pb").stat().st_mtime_ns
    assert main(["export", str(run), "-f", "saved_model", "-o", str(out), "--overwrite"]) == 0
    assert (out / "saved_model.pb").stat().st_mtime_ns != first  # replaced
    assert sorted(p.name for p in out.parent.iterdir()) == ["sm"]  # no temporaries
    (out / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(["export", str(run), "-f", "saved_model", "-o", str(out), "--overwrite"]) == 1
    assert "holds files export did not write (notes.txt)" in one_error_line(capsys)
    assert (out / "notes.txt").read_text() == "mine" and (out / "saved_model.pb").is_file()
    # a file export and its sidecar marker; someone else's file of that name is kept
    assert main(["export", str(run), "-f", "keras", "-o", str(tmp_path / "g")]) == 0
    assert (tmp_path / ".g.keras.cgtk-export.json").is_file()
    assert main(["export", str(run), "-f", "keras", "-o", str(tmp_path / "g"),
                 "--overwrite"]) == 0
    (tmp_path / "mine.keras").write_bytes(b"my model")
    capsys.readouterr()
    assert main(["export", str(run), "-f", "keras", "-o", str(tmp_path / "mine"),
                 "--overwrite"]) == 1
    assert "not a cgtk export" in one_error_line(capsys)
    assert (tmp_path / "mine.keras").read_bytes() == b"my model"


def test_a_failed_export_keeps_the_previous_one(run, tmp_path, capsys, monkeypatch):
    out = tmp_path / "g.keras"
    assert main(["export", str(run), "-f", "keras", "-o", str(out)]) == 0
    before = out.read_bytes()
    import cgtk.export

    def broken(model, fmt, path, **kwargs):
        path.write_bytes(b"half an artifact")
        raise cgtk.export.CgtkError("exporting to keras on tensorflow failed: disk trouble")

    monkeypatch.setattr(cgtk.export, "export_network", broken)
    capsys.readouterr()
    assert main(["export", str(run), "-f", "keras", "-o", str(out), "--overwrite"]) == 1
    assert "disk trouble" in one_error_line(capsys)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".g.keras.cgtk-export.json",
                                                          "g.keras", "run"]
