"""Where `cgtk export` may write: every refusal, on throwaway folders, and the marker
that lets --overwrite replace only an earlier export of the same format."""
import doctest
import json
from pathlib import Path

import pytest

import cgtk.export_target
from cgtk.errors import CgtkError
from cgtk.export_target import MARKER, check_target, marker_path, staged


def make_run(folder):
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "checkpoints").mkdir()
    (folder / "generator.keras").write_bytes(b"the trained network")
    return folder


def fake_export(fmt, path, source):
    """What `cgtk export` leaves: the artifact and its marker."""
    with staged(fmt, path, source=source) as tmp:
        if fmt == "saved_model":
            (tmp / "variables").mkdir(parents=True)
            (tmp / "saved_model.pb").write_bytes(b"graph")
            (tmp / "variables" / "variables.index").write_bytes(b"index")
        else:
            tmp.write_bytes(b"artifact of " + fmt.encode())


def test_docstring_example():
    result = doctest.testmod(cgtk.export_target)
    assert result.attempted > 0 and result.failed == 0


def refused(fmt, path, source, match, overwrite=True):
    with pytest.raises(CgtkError, match=match):
        check_target(fmt, path, overwrite=overwrite, source=source)


def test_the_current_folder_and_its_parents_are_refused(tmp_path, monkeypatch):
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    (work / "notes.txt").write_text("mine")
    monkeypatch.chdir(work)
    for target in (".", "..", str(work), str(tmp_path)):
        refused("saved_model", Path(target), tmp_path / "run",
                "current folder or a folder above it")
    assert (work / "notes.txt").read_text() == "mine"


def test_run_directories_and_what_is_in_them_are_refused(tmp_path):
    run = make_run(tmp_path / "runs" / "r1")
    for fmt, target, words in [("saved_model", run, "is or contains the source"),
                               ("keras", run / "generator.keras", "inside the run directory"),
                               ("onnx", run / "new.onnx", "inside the run directory"),
                               ("saved_model", tmp_path / "runs", "is or contains the source")]:
        refused(fmt, target, run, words)
    other = make_run(tmp_path / "elsewhere" / "r2")  # a run that is not the source
    refused("saved_model", other, run, "is the run directory")
    refused("saved_model", tmp_path / "elsewhere", run, "contains the run directory")
    assert (run / "generator.keras").read_bytes() == b"the trained network"


def test_the_source_model_itself_is_refused(tmp_path):
    model = tmp_path / "net.keras"
    model.write_bytes(b"x")
    refused("keras", model, model, "is or contains the source")


def test_existing_outputs_need_overwrite_and_a_marker(tmp_path):
    src = tmp_path / "run"
    target = tmp_path / "out" / "g.onnx"
    target.parent.mkdir()
    target.write_bytes(b"someone's model")
    refused("onnx", target, src, "already exists", overwrite=False)
    refused("onnx", target, src, "not a cgtk export")
    folder = tmp_path / "out" / "sm"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"someone's graph")
    refused("saved_model", folder, src, "not a cgtk export")
    refused("onnx", folder, src, "is a folder")


def test_a_previous_export_of_the_same_kind_is_replaced_and_nothing_else(tmp_path):
    src = tmp_path / "run"
    sm, onnx = tmp_path / "out" / "sm", tmp_path / "out" / "g.onnx"
    fake_export("saved_model", sm, src)
    fake_export("onnx", onnx, src)
    record = json.loads((sm / MARKER).read_text())
    assert record["format"] == "saved_model"
    assert record["entries"] == ["saved_model.pb", "variables", "variables/variables.index"]
    assert json.loads(marker_path("onnx", onnx).read_text())["format"] == "onnx"
    check_target("saved_model", sm, overwrite=True, source=src)   # accepted
    check_target("onnx", onnx, overwrite=True, source=src)
    # a file of the user's inside the export folder: refused, and still there
    (sm / "my-notes.txt").write_text("keep me")
    refused("saved_model", sm, src, r"holds files export did not write \(my-notes.txt\)")
    assert (sm / "my-notes.txt").read_text() == "keep me"
    # an exported file replaced by the user's own: refused
    onnx.write_bytes(b"my own onnx")
    refused("onnx", onnx, src, "was changed since cgtk exported it")
    # a marker of another format
    other = tmp_path / "out" / "k.keras"
    fake_export("keras", other, src)
    marker_path("keras", other).write_text(json.dumps({"format": "onnx"}))
    refused("keras", other, src, "holds a onnx export, not keras")


def test_replacing_swaps_in_the_new_export_and_a_failure_keeps_the_old(tmp_path):
    src = tmp_path / "run"
    sm = tmp_path / "sm"
    fake_export("saved_model", sm, src)
    (sm / "saved_model.pb").write_bytes(b"first")
    marker = json.loads((sm / MARKER).read_text())
    (sm / MARKER).write_text(json.dumps(marker))
    with pytest.raises(RuntimeError):
        with staged("saved_model", sm, source=src) as tmp:
            (tmp / "saved_model.pb").parent.mkdir(parents=True)
            (tmp / "saved_model.pb").write_bytes(b"half")
            raise RuntimeError("the exporter failed")
    assert (sm / "saved_model.pb").read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sm"]  # no temporary left
    fake_export("saved_model", sm, src)
    assert (sm / "saved_model.pb").read_bytes() == b"graph"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sm"]
