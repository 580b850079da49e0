"""The typed run record: old run directories still load, newer schemas are refused, and
unknown keys survive a round trip."""
import json
import shutil

import pytest
from helpers import REPO

from cgtk.errors import CgtkError
from cgtk.runs.record import SCHEMA_VERSION, RunRecord

OLD_RUN = REPO / "tests" / "runs" / "fixtures" / "run_cgtk_0_1"


def test_a_record_written_by_cgtk_0_1_reads_as_schema_1():
    raw = json.loads((OLD_RUN / "config.json").read_text())
    record = RunRecord.from_dict(raw, OLD_RUN / "config.json")
    assert record.schema_version == 1
    assert record.plugin.name == "pix2pix" and record.plugin.data_kind == "paired"
    assert record.inference["generator"].file == "generator.keras"
    assert record.inference["generator"].multiple == 32
    assert record.config["ngf"] == 4 and record.data["origin"] == "demo"
    again = record.to_dict()
    assert again["schema_version"] == SCHEMA_VERSION
    assert {k: v for k, v in again.items() if k != "schema_version"} == raw


def test_a_newer_schema_is_refused_with_a_clear_message():
    with pytest.raises(CgtkError, match="written by a newer cgtk .*schema 99"):
        RunRecord.from_dict({"schema_version": 99, "plugin": {"name": "x"}}, "config.json")


def test_a_file_that_is_not_a_record_is_refused():
    with pytest.raises(CgtkError, match="not a cgtk run record"):
        RunRecord.from_dict({"hello": 1}, "config.json")


def test_unknown_keys_are_kept():
    record = RunRecord.from_dict({"plugin": {"name": "x"}, "future_key": [1, 2]})
    assert record.to_dict()["future_key"] == [1, 2]


def test_an_old_run_directory_still_infers(tmp_path, capsys):
    """A run directory written by cgtk 0.1 (the fixture) loads and infers unchanged."""
    from PIL import Image

    from cgtk.cli.main import main

    run = tmp_path / "old"
    shutil.copytree(OLD_RUN, run)
    images = tmp_path / "in"
    images.mkdir()
    Image.new("RGB", (45, 33), (10, 200, 30)).save(images / "x.png")
    assert main(["infer", str(run), "--input", str(images), "--output",
                 str(tmp_path / "out")]) == 0
    assert Image.open(tmp_path / "out" / "x.png").size == (45, 33)
    capsys.readouterr()
