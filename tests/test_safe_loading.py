"""Models load only from .keras with safe_mode=True; code in a model never runs."""
import keras
import pytest

from cgtk.cli.main import main
from cgtk.errors import CgtkError
from cgtk.inference import load_keras_model, open_source


@pytest.fixture(scope="module")
def gadget(tmp_path_factory):
    """A .keras file whose Lambda layer creates a sentinel file when executed."""
    root = tmp_path_factory.mktemp("gadget")
    sentinel = root / "PWNED"
    fn = eval(f"lambda x: (__import__('pathlib').Path({str(sentinel)!r}).touch(), x)[1]")
    inp = keras.Input((None, None, 3))
    model = keras.Model(inp, keras.layers.Lambda(fn)(keras.layers.Conv2D(3, 1)(inp)))
    path = root / "evil.keras"
    model.save(path)
    sentinel.unlink(missing_ok=True)  # building the model ran it once, here, on purpose
    return path, sentinel


def test_lambda_model_is_refused_and_nothing_runs(gadget, capsys):
    path, sentinel = gadget
    with pytest.raises(CgtkError, match="refused.*Lambda.*safe_mode"):
        load_keras_model(path)
    assert not sentinel.exists()
    out = path.parent / "out"
    img = path.parent / "img.png"
    from PIL import Image

    Image.new("RGB", (8, 8)).save(img)
    for argv in (["infer", str(path), "-i", str(img), "-o", str(out)],
                 ["export", str(path), "--format", "keras", "-o", str(path.parent / "x")]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "refused" in err and "Lambda" in err and "Traceback" not in err
        assert len([line for line in err.splitlines() if line.strip()]) == 1
    assert not sentinel.exists()
    assert not out.exists() or not any(out.iterdir())


def test_the_gadget_is_real(gadget):
    """Control: an unsafe load would have run the code (so the test above can fail)."""
    path, sentinel = gadget
    keras.config.enable_unsafe_deserialization()
    try:
        keras.saving.load_model(path, safe_mode=False)
    finally:
        keras.config.disable_unsafe_deserialization() if hasattr(
            keras.config, "disable_unsafe_deserialization") else None
    assert sentinel.exists()
    sentinel.unlink()


@pytest.mark.parametrize("name, fragment", [
    ("net.h5", "legacy .h5"), ("net.hdf5", "legacy .h5"), ("graph.pb", "TensorFlow graph"),
    ("net.pkl", "pickle"), ("net.txt", "not a .keras file")])
def test_other_formats_are_refused(tmp_path, name, fragment):
    p = tmp_path / name
    p.write_bytes(b"\x80\x04data")
    with pytest.raises(CgtkError, match=fragment):
        open_source(p)


def test_saved_model_dir_and_fake_zip_are_refused(tmp_path):
    (tmp_path / "sm").mkdir()
    (tmp_path / "sm" / "saved_model.pb").write_bytes(b"x")
    with pytest.raises(CgtkError, match="SavedModel"):
        open_source(tmp_path / "sm")
    (tmp_path / "fake.keras").write_bytes(b"not a zip")
    with pytest.raises(CgtkError, match="not a valid .keras"):
        load_keras_model(tmp_path / "fake.keras")


def test_run_config_cannot_point_outside_the_run(tmp_path):
    (tmp_path / "config.json").write_text(
        '{"plugin": {"name": "toy"}, '
        '"inference": {"g": {"file": "../elsewhere.keras", "multiple": 1, "scale": 1}}}')
    with pytest.raises(CgtkError, match="inside the run directory"):
        open_source(tmp_path)


def test_unknown_class_retries_after_importing_plugins(tmp_path, toy_site):
    """A bare .keras using the toy plugin's layer loads once plugins are imported."""
    from helpers import run_python

    code = f"""
import keras, sys
sys.path.insert(0, {str(toy_site)!r})
import toyplugin.model as m
inp = keras.Input((None, None, 3))
keras.Model(inp, m.CallCounter()(inp)).save({str(tmp_path / 'c.keras')!r})
"""
    assert run_python(code, paths=[toy_site]).returncode == 0
    code = f"""
import sys
sys.path.insert(0, {str(toy_site)!r})
from cgtk.inference import load_keras_model
assert "toyplugin.model" not in sys.modules
m = load_keras_model({str(tmp_path / 'c.keras')!r})
print("loaded", type(m.layers[1]).__name__)
"""
    r = run_python(code, paths=[toy_site])
    assert "loaded CallCounter" in r.stdout, r.stderr[-2000:]


def _rewritten(tmp_path, name, edit):
    """A real .keras file whose config.json was edited by ``edit(conv2d_layer_config)``."""
    import json
    import zipfile

    inp = keras.Input((None, None, 3))
    ok = tmp_path / "ok.keras"
    keras.Model(inp, keras.layers.Conv2D(3, 1, activation="relu")(inp)).save(ok)
    with zipfile.ZipFile(ok) as z:
        items = {n: z.read(n) for n in z.namelist()}
    config = json.loads(items["config.json"])
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "Conv2D":
            edit(layer)
    items["config.json"] = json.dumps(config).encode()
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        for n, data in items.items():
            z.writestr(n, data)
    return path


def test_a_config_naming_os_system_says_so(tmp_path):
    """Issue 21 item 10: refused, but with "no installed plugin registers ..."."""
    def as_activation(layer):
        layer["config"]["activation"] = {"module": "os", "class_name": "function",
                                         "config": "system", "registered_name": "system"}

    def as_layer(layer):
        layer.update(module="os", class_name="system", registered_name="system")

    for name, edit in (("act.keras", as_activation), ("layer.keras", as_layer)):
        with pytest.raises(CgtkError) as err:
            load_keras_model(_rewritten(tmp_path, name, edit))
        text = str(err.value)
        assert "names os.system, a function outside the allowed set" in text
        assert "no installed plugin registers" not in text and "\n" not in text
