"""``cgtk infer``: folders, odd sizes, tiles, directions, SR scale, errors."""
import json

import keras
import numpy as np
import pytest
from PIL import Image

from cgtk.cli.main import main


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(0)
    (root / "sub").mkdir()
    Image.fromarray(rng.integers(0, 256, (333, 517, 3), dtype=np.uint8)).save(root / "odd.png")
    Image.fromarray(rng.integers(0, 256, (40, 30), dtype=np.uint8)).save(root / "gray.jpg")
    Image.fromarray(rng.integers(0, 256, (24, 20, 3), dtype=np.uint8)).save(root / "sub/x.jpg")
    (root / "bad.png").write_bytes(b"not an image")
    return root


@pytest.fixture(scope="module")
def fake_cyclegan_run(tmp_path_factory):
    """A run directory as CycleGAN writes it: a2b / b2a, multiple 4."""
    run = tmp_path_factory.mktemp("cg")
    for i, name in enumerate(("a2b", "b2a")):
        keras.utils.set_random_seed(i)
        inp = keras.Input((None, None, 3))
        x = keras.layers.Conv2D(4, 3, strides=4, padding="same")(inp)
        x = keras.layers.UpSampling2D(4)(x)
        out = keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x)
        keras.Model(inp, out).save(run / f"{name}.keras")
    (run / "config.json").write_text(json.dumps({
        "plugin": {"name": "no-such-plugin", "data_kind": "unpaired"},
        "data": {"kind": "unpaired", "origin": "demo", "name": "demo", "root": None,
                 "layout": "demo", "hints": {}},
        "config": {},
        "inference": {n: {"file": f"{n}.keras", "multiple": 4, "scale": 1,
                          "description": d} for n, d in (("a2b", "A -> B"), ("b2a", "B -> A"))}}))
    return run


def test_folder_at_odd_size_with_skips(toy_run, inputs, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["infer", str(toy_run), "-i", str(inputs), "-o", str(out)]) == 0
    cap = capsys.readouterr()
    assert "wrote 2 image(s)" in cap.out and "skipped 1 unreadable" in cap.out
    assert "bad.png" in cap.err
    assert sorted(p.name for p in out.iterdir()) == ["gray.png", "odd.png"]
    assert Image.open(out / "odd.png").size == (517, 333)


def test_recursive_format_and_tiles_match(toy_run, inputs, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["infer", str(toy_run), "-i", str(inputs), "-o", str(a), "-r"]) == 0
    assert (a / "sub" / "x.png").is_file()
    assert main(["infer", str(toy_run), "-i", str(inputs / "odd.png"), "-o", str(b),
                 "--tile", "128", "--overlap", "16", "--format", "webp", "--quality", "100",
                 "--batch-size", "3"]) == 0
    assert (b / "odd.webp").is_file()
    c = tmp_path / "c"
    assert main(["infer", str(toy_run), "-i", str(inputs / "odd.png"), "-o", str(c),
                 "--tile", "128", "--overlap", "16"]) == 0
    tiled = np.asarray(Image.open(c / "odd.png"), np.int16)
    whole = np.asarray(Image.open(a / "odd.png"), np.int16)
    assert np.abs(tiled - whole).max() <= 1  # one 8-bit level: rounding of ~1e-6 diffs


def test_existing_output_needs_overwrite(toy_run, inputs, tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    assert main(["infer", str(toy_run), "-i", str(inputs / "gray.jpg"), "-o", str(out)]) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert main(["infer", str(toy_run), "-i", str(inputs / "gray.jpg"), "-o", str(out),
                 "--overwrite"]) == 0
    assert (out / "gray.png").is_file() and (out / "keep.txt").is_file()


def test_nothing_processed_is_exit_1(toy_run, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.jpg").write_bytes(b"")
    assert main(["infer", str(toy_run), "-i", str(tmp_path / "in"), "-o",
                 str(tmp_path / "o")]) == 1
    assert "no image could be processed" in capsys.readouterr().err


def test_directions_and_multiple(fake_cyclegan_run, inputs, tmp_path, capsys):
    outs = {}
    for d in ("a2b", "b2a"):
        o = tmp_path / d
        assert main(["infer", str(fake_cyclegan_run), "-i", str(inputs / "odd.png"), "-o",
                     str(o), "--direction", d]) == 0
        outs[d] = np.asarray(Image.open(o / "odd.png"))
        assert outs[d].shape == (333, 517, 3)
    assert np.abs(outs["a2b"].astype(int) - outs["b2a"]).max() > 0
    assert main(["infer", str(fake_cyclegan_run), "-i", str(inputs / "odd.png"), "-o",
                 str(tmp_path / "x"), "--direction", "sideways"]) == 1
    assert "choose one of: a2b, b2a" in capsys.readouterr().err


def test_bare_keras_super_resolution(inputs, tmp_path):
    inp = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(4, 3, padding="same")(inp)
    x = keras.layers.UpSampling2D(4)(x)
    keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same")(x)).save(tmp_path / "sr.keras")
    assert main(["infer", str(tmp_path / "sr.keras"), "-i", str(inputs / "sub"), "-o",
                 str(tmp_path / "o"), "--tile", "16", "--overlap", "8"]) == 0
    assert Image.open(tmp_path / "o" / "x.png").size == (80, 96)


def test_jax_backend(toy_run, inputs, tmp_path, toy_site):
    from helpers import cli_in_process

    r = cli_in_process("infer", toy_run, "-i", inputs / "gray.jpg", "-o", tmp_path / "j",
                       "--backend", "jax", paths=[toy_site], backend="jax")
    assert r.returncode == 0, r.stderr[-2000:]
    assert Image.open(tmp_path / "j" / "gray.png").size == (30, 40)
    # the JAX interpreter behind cli_in_process(backend="jax") refuses a command that
    # chooses another backend, instead of running it on JAX
    wrong = cli_in_process("infer", toy_run, "-i", inputs / "gray.jpg", "-o", tmp_path / "t",
                           "--backend", "tensorflow", paths=[toy_site], backend="jax")
    assert wrong.returncode == 1 and "already running on jax" in wrong.stderr, wrong.stderr
    assert not (tmp_path / "t").exists()
