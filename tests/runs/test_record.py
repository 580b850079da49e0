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


# ------------------------------------------------------- one type everywhere ---

def _training_inputs():
    from types import SimpleNamespace

    from cgtk.config import TrainConfig

    info = SimpleNamespace(name="toy", version="1.2", dist="toy-dist", data_kind="paired")
    config = TrainConfig(batch_size=3, image_size=48, seed=7)
    source = SimpleNamespace(describe=lambda: {"kind": "paired", "origin": "demo",
                                               "name": "demo", "root": None,
                                               "layout": "demo", "hints": {}})
    dist = SimpleNamespace(describe=lambda: {"kind": "one", "replicas": 1, "processes": 1,
                                             "platform": "cpu"})
    nets = {"a2b": SimpleNamespace(network=None, multiple=4, scale=1, description="A -> B"),
            "b2a": SimpleNamespace(network=None, multiple=8, scale=2, description="")}
    return info, config, source, dist, nets


def _as_cgtk_0_1_wrote_it(info, config, source, dist, jit, nets, versions) -> dict:
    """config.json as cgtk 0.1's ``launch.build_record`` wrote it (frozen here: the keys,
    values and order that old readers and tools expect)."""
    import sys
    import time

    from cgtk._version import __version__

    return {
        "cgtk_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "plugin": {"name": info.name, "version": info.version, "dist": info.dist,
                   "data_kind": info.data_kind},
        "config": config.to_dict(), "data": source.describe(),
        "batch_size": config.batch_size, "image_size": config.image_size,
        "backend": config.backend, "precision": config.precision, "seed": config.seed,
        "jit": jit, "distribution": dist.describe(),
        "inference": {name: {"file": f"{name}.keras", "multiple": inf.multiple,
                             "scale": inf.scale, "description": inf.description}
                      for name, inf in nets.items()},
        "versions": versions,
        "command": " ".join(["cgtk", *sys.argv[1:]]) if sys.argv else "",
    }


def test_for_training_builds_what_cgtk_0_1_wrote(monkeypatch):
    """RunRecord.for_training writes the keys and values cgtk 0.1 wrote as a dict (plus
    schema_version), so a run written either way reads the same."""
    import time

    monkeypatch.setattr(time, "strftime", lambda *a: "2026-01-02T03:04:05+0000")
    monkeypatch.setattr("sys.argv", ["cgtk", "train", "toy", "--data", "demo"])
    info, config, source, dist, nets = _training_inputs()
    versions = {"cgtk": "0.1.0", "keras": "3"}
    provenance = {"seed": "--seed", "batch_size": "--batch-size"}
    old = _as_cgtk_0_1_wrote_it(info, config, source, dist, True, nets, versions)
    old["provenance"] = provenance
    new = RunRecord.for_training(info=info, config=config, source=source, distribution=dist,
                                 jit=True, inference_networks=nets, versions=versions,
                                 provenance=provenance).to_dict()
    assert new.pop("schema_version") == SCHEMA_VERSION
    assert new == old
    assert list(new) == list(old)   # the same order, too: config.json reads as before
    assert new["command"] == "cgtk train toy --data demo"
    assert new["inference"]["b2a"] == {"file": "b2a.keras", "multiple": 8, "scale": 2,
                                       "description": ""}


def test_for_training_round_trips_through_a_run_dir(tmp_path):
    from cgtk.runs import RunDir

    info, config, source, dist, nets = _training_inputs()
    record = RunRecord.for_training(info=info, config=config, source=source,
                                    distribution=dist, jit=False, inference_networks=nets,
                                    versions={}, created="then", command="cgtk x")
    run = RunDir.create(tmp_path / "run")
    run.write_record(record)
    assert not list(run.path.glob("*.tmp"))
    again = run.read_record()
    assert again == record
    assert again.plugin.dist == "toy-dist" and again.image_size == 48 and again.seed == 7
    assert again.config["batch_size"] == 3 and again.data["origin"] == "demo"
    assert again.inference["a2b"].description == "A -> B" and again.jit is False
    assert "provenance" not in run.read_config() and "imported" not in run.read_config()


def test_read_record_refuses_a_newer_schema_naming_the_file(tmp_path):
    from cgtk.runs import RunDir

    run = RunDir.create(tmp_path / "run")
    run.write_config({"schema_version": SCHEMA_VERSION + 1, "plugin": {"name": "x"}})
    with pytest.raises(CgtkError, match=r"config\.json: written by a newer cgtk"):
        run.read_record()


def test_the_plugin_inference_declaration_converts_to_the_recorded_spec():
    import cgtk
    from cgtk.runs.record import InferenceSpec

    declared = cgtk.Inference(network=None, multiple=16, scale=4, description="LR -> SR")
    spec = declared.spec("generator")
    assert spec == InferenceSpec("generator", "generator.keras", 16, 4, "LR -> SR")
    assert spec == InferenceSpec.from_inference("generator", declared)
    assert cgtk.InferenceSpec is InferenceSpec and cgtk.RunRecord is RunRecord


def test_a_spec_cannot_point_outside_the_run(tmp_path):
    from cgtk.runs.record import InferenceSpec

    assert InferenceSpec("g", "g.keras").path_in(tmp_path) == tmp_path / "g.keras"
    for bad in ("../g.keras", "/etc/g.keras", "sub/g.keras", "g.h5"):
        with pytest.raises(CgtkError, match="must be a .keras file inside the run"):
            InferenceSpec("g", bad).path_in(tmp_path)


def test_a_malformed_record_is_a_clear_error():
    with pytest.raises(CgtkError, match=r"config\.json: inference network 'g' is malformed"):
        RunRecord.from_dict({"plugin": {"name": "x"},
                             "inference": {"g": {"multiple": "lots"}}}, "config.json")
    with pytest.raises(CgtkError, match="its config is not a JSON object"):
        RunRecord.from_dict({"plugin": {"name": "x"}, "config": [1]}, "config.json")


def test_read_run_record_names_the_caller(tmp_path):
    import cgtk

    with pytest.raises(CgtkError, match=r"^init_from=R: not a cgtk run directory \(no "
                       r"config\.json\) \(train one\)$"):
        cgtk.read_run_record(tmp_path, what="init_from=R", hint="train one")
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(CgtkError, match=r"^init_from=R: cannot read config\.json"):
        cgtk.read_run_record(tmp_path, what="init_from=R")
    shutil.copytree(OLD_RUN, tmp_path / "old")
    record = cgtk.read_run_record(tmp_path / "old")
    assert record.plugin.name == "pix2pix" and record.inference["generator"].scale == 1


def test_an_old_run_directory_opens_as_a_source_and_reports():
    """The fixture through the two other readers: inference's Source and the report."""
    from cgtk.inference import open_source
    from cgtk.report.gather import gather

    src = open_source(OLD_RUN)
    assert src.plugin == "pix2pix" and src.data_kind == "paired"
    assert src.record.data["origin"] == "demo"
    entry = src.entry()
    assert (entry.name, entry.multiple, entry.scale) == ("generator", 32, 1)
    assert src.path_of(entry) == OLD_RUN / "generator.keras"
    report = gather(OLD_RUN)
    assert report.header["plugin"] == "pix2pix" and report.header["image_size"] == 32
    assert report.header["command"].startswith("cgtk train pix2pix")
    assert report.networks[0]["multiple"] == 32 and report.networks[0]["bytes"] > 0
    assert ("ngf", 4, None) in report.config


def test_an_old_run_directory_still_evaluates(tmp_path, capsys):
    """``cgtk eval`` on the cgtk 0.1 fixture: its recorded data (demo) and config are used,
    and the result lands in the run's eval.json."""
    from cgtk.cli.main import main

    run = tmp_path / "old"
    shutil.copytree(OLD_RUN, run)
    assert main(["eval", str(run), "--limit", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["plugin"] == "pix2pix" and report["kind"] == "paired"
    assert report["data"]["origin"] == "demo"
    result, = report["results"]
    assert result["network"] == "generator" and result["n"] == 2
    assert set(result["metrics"]) == {"l1", "psnr", "ssim"}
    saved = json.loads((run / "eval.json").read_text())["evaluations"]
    assert saved[0]["results"][0]["n"] == 2
