"""``cgtk import``: a reference file becomes an ordinary run directory; bad input is one
line, exit code 1 and nothing written."""
from __future__ import annotations

import collections
import json
import os
import pickle
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import FIXTURES, fixture_tensors, save_safetensors

from cgtk.cli.main import main

RESNET6 = FIXTURES / "resnet6_instance.pth"  # written by torch.save (ngf 2, 6 blocks)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    run = tmp_path_factory.mktemp("import") / "h2z"
    assert main(["import", "cyclegan", str(RESNET6), "--run-dir", str(run)]) == 0
    return run


def test_import_writes_an_ordinary_run(imported):
    record = json.loads((imported / "config.json").read_text())
    assert record["plugin"]["name"] == "cyclegan"
    assert record["config"]["ngf"] == 2 and record["config"]["n_blocks"] == 6
    assert list(record["inference"]) == ["a2b"]
    entry, = record["imported"]
    assert entry["file"] == RESNET6.name and entry["format"] == "pth"
    assert len(entry["sha256"]) == 64 and entry["network"] == "a2b"
    assert entry["mapping"]["model.1.weight"].endswith("kernel")
    assert len(entry["mapping"]) == 36  # every tensor of the file
    assert (imported / "a2b.keras").is_file()
    assert not list(imported.parent.glob(".tmp-import-*"))


def test_infer_and_export_work_on_the_imported_run(imported, tmp_path):
    from PIL import Image

    image = np.random.RandomState(0).randint(0, 255, (30, 42, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / "in.png")
    assert main(["infer", str(imported), "--input", str(tmp_path / "in.png"),
                 "--output", str(tmp_path / "out")]) == 0
    out = np.asarray(Image.open(tmp_path / "out" / "in.png"))
    assert out.shape == (30, 42, 3)
    assert main(["export", str(imported), "--format", "keras",
                 "--output", str(tmp_path / "g.keras")]) == 0


def test_existing_run_dir_needs_force(imported, capsys):
    before = (imported / "config.json").read_text()
    assert main(["import", "cyclegan", str(RESNET6), "--run-dir", str(imported)]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err
    assert (imported / "config.json").read_text() == before


def _evil(path: Path, sentinel: Path) -> Path:
    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {sentinel}",))

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("evil/data.pkl", pickle.dumps(collections.OrderedDict(w=Evil()), protocol=2))
    return path


def _text(path: Path) -> Path:
    path.write_text("hello, not weights")
    return path


BAD = {
    "unet_for_cyclegan": (["cyclegan", "{unet}"], r"not a file 'cyclegan' can import.*"
                          r"looks like a UnetGenerator"),
    "blocks_contradict": (["cyclegan", "{resnet6}", "--set", "n_blocks=9"],
                          r"--set n_blocks=9 contradicts .*n_blocks=6"),
    "wrong_scale": (["srresnet", "{msr4}", "--set", "scale=2"],
                    r"--set scale=2 contradicts .*scale=4"),
    "missing_key": (["cyclegan", "{missing}"], r"missing key model\.19\.bias"),
    "unused_key": (["cyclegan", "{extra}"], r"tensor extra\.weight \(3, 3\) is not used"),
    "refused_global": (["cyclegan", "{evil}"], r"refused: its pickle needs the global "
                       r"(os|posix)\.system"),
    "not_weights": (["cyclegan", "{text}"], r"not a PyTorch weights file"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_and_writes_nothing(case, tmp_path, capsys):
    tensors = fixture_tensors("resnet6_instance")
    files = {
        "unet": lambda: save_safetensors(tmp_path / "unet.safetensors",
                                     fixture_tensors("unet128_batch")),
        "resnet6": lambda: RESNET6,
        "msr4": lambda: save_safetensors(tmp_path / "msr.safetensors",
                                     fixture_tensors("msrresnet_x4")),
        "missing": lambda: save_safetensors(tmp_path / "m.safetensors",
                                        {k: v for k, v in tensors.items()
                                         if k != "model.19.bias"}),
        "extra": lambda: save_safetensors(tmp_path / "x.safetensors",
                                      {**tensors, "extra.weight": np.zeros((3, 3), "float32")}),
        "evil": lambda: _evil(tmp_path / "evil.pth", tmp_path / "pwned"),
        "text": lambda: _text(tmp_path / "notes.pth"),
    }
    args, pattern = BAD[case]
    args = [str(files[a[1:-1]]()) if a.startswith("{") else a for a in args]
    run = tmp_path / "run"
    assert main(["import", *args, "--run-dir", str(run)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert re.search(pattern, err), err
    assert not run.exists()
    assert not list(tmp_path.glob(".tmp-import-*"))
    assert not (tmp_path / "pwned").exists()


def test_import_help_stands_alone():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "cgtk.cli.main", "import", "--help"],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "COLUMNS": "100"}).stdout
    for needle in ("cyclegan", "pix2pix", "style", "srresnet", "latest_net_G.pth",
                   "candy.pth", "params_ema", "--set", "--force", "--run-dir",
                   "contradicts", "cgtk export"):
        assert needle in out, needle


def test_old_instance_norm_running_stats_are_ignored(tmp_path):
    """Files saved before PyTorch 0.4 carry InstanceNorm running stats, which the
    reference's loader deletes (__patch_instance_norm_state_dict): so does cgtk."""
    from cgtk.importing.api import load_reference

    tensors = fixture_tensors("resnet6_instance")
    tensors.update({"model.2.running_mean": np.zeros(2, "float32"),
                    "model.2.running_var": np.ones(2, "float32")})
    loaded = load_reference("cyclegan", save_safetensors(tmp_path / "old.safetensors", tensors))
    entry, = loaded.imported
    assert entry["ignored_keys"] == ["model.2.running_mean", "model.2.running_var"]
    assert len(entry["mapping"]) == 36


def test_two_generators_fill_a2b_then_b2a_and_force_replaces(imported, tmp_path):
    import cgtk

    target = tmp_path / "both"
    target.mkdir()
    (target / "stale.txt").write_text("old")
    with pytest.raises(cgtk.CgtkError, match="already exists"):
        cgtk.import_weights("cyclegan", [RESNET6, RESNET6], target)
    result = cgtk.import_weights("cyclegan", [RESNET6, RESNET6], target, force=True)
    assert result.networks == ["a2b", "b2a"]
    assert sorted(p.name for p in target.glob("*.keras")) == ["a2b.keras", "b2a.keras"]
    assert not (target / "stale.txt").exists()


def test_network_flag_picks_the_direction(tmp_path):
    from cgtk.importing.api import load_reference

    assert list(load_reference("cyclegan", RESNET6, network="b2a").networks) == ["b2a"]
    with pytest.raises(Exception, match="--network c2d: no such inference network"):
        load_reference("cyclegan", RESNET6, network="c2d")
