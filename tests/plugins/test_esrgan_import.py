"""``cgtk import esrgan|realesrgan``: a BasicSR RRDBNet file (params_ema preferred over
params) becomes a run whose inference network is the EMA network; ``cgtk infer`` on it,
whole and in tiles; x1 / x8 files and other scales are one-line errors. (Forward parity
at 1e-4 for the x4, x2 and ESRGAN-repository namings: tests/importing/test_parity.py,
cases rrdbnet_*.)"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import fixture_tensors, save_safetensors
from PIL import Image

from cgtk.cli.main import main


def _weights_file(root: Path, tensors: dict) -> Path:
    """A Real-ESRGAN-style .pth (``params_ema`` + a zeroed ``params``) with torch; without
    torch the same tensors as .safetensors."""
    try:
        import torch
    except ImportError:
        return save_safetensors(root / "RRDB_tiny_x4.safetensors", tensors)
    state = {k: torch.from_numpy(v) for k, v in tensors.items()}
    path = root / "RRDB_tiny_x4.pth"
    torch.save({"params_ema": state, "params": {k: v * 0 for k, v in state.items()}}, path)
    return path


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("rrdb")
    path = _weights_file(root, fixture_tensors("rrdbnet_x4"))
    run = root / "run"
    assert main(["import", "esrgan", str(path), "--run-dir", str(run)]) == 0
    return run, path


def test_import_writes_a_run_with_the_shapes_read_off_the_file(imported):
    run, path = imported
    record = json.loads((run / "config.json").read_text())
    assert record["plugin"]["name"] == "esrgan"
    c = record["config"]
    assert (c["n_blocks"], c["n_feats"], c["growth"], c["scale"]) == (2, 16, 8, 4)
    entry, = record["imported"]
    assert entry["architecture"] == "BasicSR RRDBNet" and entry["network"] == "generator"
    if path.suffix == ".pth":
        assert entry["wrapper"] == "params_ema"
    assert entry["mapping"]["body.1.rdb3.conv5.weight"].endswith("kernel")
    assert len(entry["mapping"]) == 72
    assert (run / "generator.keras").is_file()


def test_infer_on_the_imported_run_whole_and_in_tiles(imported, tmp_path):
    """`cgtk infer RUN` at x4 on a 30x42 image; `--tile 16 --overlap 8` gives the same
    picture up to the blending of tiles narrower than RRDBNet's receptive field."""
    import keras

    run, _ = imported
    image = np.random.RandomState(0).randint(0, 255, (30, 42, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / "in.png")
    for out, extra in (("whole", []), ("tiles", ["--tile", "16", "--overlap", "8"])):
        assert main(["infer", str(run), "--input", str(tmp_path / "in.png"),
                     "--output", str(tmp_path / out), *extra]) == 0
    whole = np.asarray(Image.open(tmp_path / "whole" / "in.png")).astype(int)
    tiles = np.asarray(Image.open(tmp_path / "tiles" / "in.png")).astype(int)
    assert whole.shape == tiles.shape == (120, 168, 3)
    g = keras.saving.load_model(run / "generator.keras", safe_mode=True)
    y = np.asarray(g(image[None].astype("float32") / 127.5 - 1.0, training=False))[0]
    want = np.round((np.clip(y, -1, 1) + 1) * 127.5)
    assert np.abs(whole - want).max() <= 1
    assert np.abs(tiles - whole).mean() < 0.1, np.abs(tiles - whole).mean()
    assert np.abs(tiles - whole).max() <= 2, np.abs(tiles - whole).max()   # measured: 1


def test_x2_file_imports_into_realesrgan_with_the_unshuffle_layout(tmp_path):
    path = save_safetensors(tmp_path / "x2.safetensors", fixture_tensors("rrdbnet_x2"))
    run = tmp_path / "run"
    assert main(["import", "realesrgan", str(path), "--run-dir", str(run)]) == 0
    c = json.loads((run / "config.json").read_text())["config"]
    assert (c["scale"], c["x2_layout"], c["ema_decay"]) == (2, "unshuffle", 0.999)
    image = np.random.RandomState(1).randint(0, 255, (15, 21, 3), dtype=np.uint8)  # odd
    Image.fromarray(image).save(tmp_path / "in.png")
    assert main(["infer", str(run), "--input", str(tmp_path / "in.png"),
                 "--output", str(tmp_path / "out")]) == 0
    assert np.asarray(Image.open(tmp_path / "out" / "in.png")).shape == (30, 42, 3)


def _x1(t):
    w = t["conv_first.weight"]
    return {**t, "conv_first.weight": np.zeros((w.shape[0], 48, 3, 3), "float32")}


def _x8(t):
    return {**t, "conv_up3.weight": t["conv_up2.weight"], "conv_up3.bias": t["conv_up2.bias"]}


@pytest.mark.parametrize("edit, pattern", [
    (_x1, r"conv_first\.weight \(16, 48, 3, 3\): 48 input channels: an x1 RRDBNet; cgtk "
          r"imports x4 and x2"),
    (_x8, r"conv_up3\.weight .*an x8 RRDBNet\); cgtk imports x4 and x2"),
])
def test_other_scales_are_one_line_errors(edit, pattern, tmp_path, capsys):
    path = save_safetensors(tmp_path / "w.safetensors", edit(fixture_tensors("rrdbnet_x4")))
    run = tmp_path / "run"
    assert main(["import", "esrgan", str(path), "--run-dir", str(run)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert re.search(pattern, err), err
    assert not run.exists()


def test_a_scale_set_against_the_file_is_refused(tmp_path, capsys):
    path = save_safetensors(tmp_path / "w.safetensors", fixture_tensors("rrdbnet_x4"))
    assert main(["import", "esrgan", str(path), "--run-dir", str(tmp_path / "r"),
                 "--set", "scale=2"]) == 1
    assert re.search(r"--set scale=2 contradicts .*scale=4", capsys.readouterr().err)


def test_export_litert_of_x4_and_unshuffled_x2(tmp_path):
    """RRDBNet exports to LiteRT in builtin ops (nearest x2 and pixel-unshuffle written
    as reshapes); cgtk export checks parity itself (1e-3) and exits 1 otherwise."""
    for name, plugin in (("rrdbnet_x4", "esrgan"), ("rrdbnet_x2", "realesrgan")):
        path = save_safetensors(tmp_path / f"{name}.safetensors", fixture_tensors(name))
        run = tmp_path / name
        assert main(["import", plugin, str(path), "--run-dir", str(run)]) == 0
        out = tmp_path / "exported" / f"{name}.tflite"
        assert main(["export", str(run), "--format", "litert", "--output", str(out)]) == 0
        assert out.is_file() and out.stat().st_size > 0
