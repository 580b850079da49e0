"""The CLI's rough edges found as a new user would (issue 18), one test each:
TensorFlow's start-up chatter in `plugins show` / `plugins list --check`, the repeated
provenance in `plugins show`'s help column, `<bool>` shown for flags in --help, the
ambiguous resume message, and gray inputs written as RGB by `cgtk infer`.
(losses.png's duplicated panel: tests/callbacks/test_loss_plot.py.)"""
import subprocess
import sys

import numpy as np
import pytest
from helpers import REPO, env_with
from PIL import Image

from cgtk.cli.main import main

CHATTER = ("absl::InitializeLog", "oneDNN custom operations", "cuda drivers",
           "cpu_feature_guard", "cuInit", "port.cc")


def _cgtk(*args):
    env = env_with()
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)       # as in a user's shell
    env.pop("CGTK_DEBUG", None)
    env["COLUMNS"] = "160"
    return subprocess.run([sys.executable, "-m", "cgtk.cli.main", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_plugins_show_is_quiet_and_compact():
    result = _cgtk("plugins", "show", "pix2pix", "--no-networks")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not [c for c in CHATTER if c in result.stderr], result.stderr
    out = result.stdout
    assert "(default from" not in out and "(fixed on resume)" not in out
    assert "[1] Isola et al. 2017" in out                       # the legend, once
    assert "fixed: shapes the networks" in out
    ngf = next(line for line in out.splitlines() if line.startswith("│ ngf "))
    assert "yes" in ngf and "[1]" in ngf                        # own narrow columns


def test_plugins_list_check_is_quiet():
    result = _cgtk("plugins", "list", "--check")
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "pix2pix" in result.stdout
    assert not [c for c in CHATTER if c in result.stderr], result.stderr


@pytest.mark.parametrize("command", ["infer", "train", "export", "report"])
def test_flags_show_no_value_type(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "--help" in out and "<bool>" not in out
    if command == "infer":
        assert "<int>" in out and "<path>" in out            # options with values keep it


def test_resume_says_what_was_done_and_what_comes_next(monkeypatch, capsys):
    """`cgtk train --resume` after 20 of 30 epochs of 50 steps (the preparation is faked:
    the message is the point, and training for real is covered by tests/engine)."""
    import types

    import cgtk.engine.builder as builder

    dist = types.SimpleNamespace(kind="one", num_replicas=1, platform="cpu")
    trainer = types.SimpleNamespace(
        epoch=20, step_in_epoch=0, steps_per_epoch=50, epochs=30, global_step=1000,
        batch_size=4, jit=False, distribution=dist, fit=lambda: "finished",
        config=types.SimpleNamespace(backend="tensorflow", precision="float32"),
        model=types.SimpleNamespace(name="toy", inference_networks=lambda: {"g": None}),
        run=types.SimpleNamespace(path="RUN", unlock=lambda: None),
        resumed_from={"global_step": 1000}, finished=False)
    spec = types.SimpleNamespace(notes=[])
    monkeypatch.setattr(builder, "resolve", lambda request: spec)
    monkeypatch.setattr(builder, "build", lambda spec, console=None, callbacks=None: trainer)
    assert main(["train", "--resume", "--run-dir", "RUN"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "20 epochs done (1000 steps); continuing with epoch 21 of 30" in err, err
    assert "resuming at epoch" not in err


@pytest.fixture(scope="module")
def upscaler(tmp_path_factory):
    """A bare x2 network (bilinear upsampling): super-resolution-like, scale 2."""
    import keras

    inputs = keras.Input((None, None, 3))
    outputs = keras.layers.UpSampling2D(2, interpolation="bilinear")(inputs)
    path = tmp_path_factory.mktemp("sr") / "x2.keras"
    keras.Model(inputs, outputs).save(path)
    return path


def test_infer_keeps_gray_inputs_gray_for_super_resolution(upscaler, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    ramp = np.tile(np.arange(0, 256, 8, dtype=np.uint8), (32, 1))
    Image.fromarray(ramp, "L").save(src / "gray.png")
    Image.fromarray(np.stack([ramp, ramp[::-1], ramp.T], -1), "RGB").save(src / "colour.png")
    assert main(["infer", str(upscaler), "--input", str(src), "--output",
                 str(tmp_path / "out")]) == 0
    with Image.open(tmp_path / "out" / "gray.png") as im:
        assert im.mode == "L" and im.size == (64, 64)
        # the luminance of the (gray) RGB output: the gray values themselves
        assert np.abs(np.asarray(im, np.int16)[::2, ::2] - ramp).max() <= 8
    with Image.open(tmp_path / "out" / "colour.png") as im:
        assert im.mode == "RGB"


def test_infer_help_says_what_translation_writes(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["infer", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "a gray input stays gray for super-resolution" in out
    assert "translation and style networks write RGB" in out

