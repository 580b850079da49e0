"""cgtk.export: every format with a parity check in the artifact's own runtime."""
import keras
import numpy as np
import pytest
from helpers import run_python

from cgtk import export as ex
from cgtk.errors import CgtkError


def small_net(seed=0, dropout=0.0):
    """Multiple-4 generator (down 4, up 4), optional AlwaysDropout (pix2pix-style)."""
    from cgtk.nn import AlwaysDropout, ReflectionPadding2D

    keras.utils.set_random_seed(seed)
    inp = keras.Input((None, None, 3), name="img")
    x = ReflectionPadding2D(1)(inp)
    x = keras.layers.Conv2D(8, 3, activation="relu")(x)
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    if dropout:
        x = AlwaysDropout(dropout, seed=1)(x)
    x = keras.layers.Conv2DTranspose(8, 4, strides=2, padding="same", activation="relu")(x)
    x = keras.layers.Conv2DTranspose(8, 4, strides=2, padding="same", activation="relu")(x)
    return keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x))


def sr_net():
    keras.utils.set_random_seed(3)
    inp = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = keras.layers.Conv2DTranspose(8, 4, strides=4, padding="same")(x)
    return keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x))


@pytest.fixture(scope="module")
def net():
    return small_net()


@pytest.mark.parametrize("fmt", ["keras", "saved_model", "onnx", "litert"])
def test_every_format_passes_parity(fmt, net, tmp_path, shared_data):
    from cgtk.data.decode import decode_file

    photo = decode_file(next(iter(sorted((shared_data / "sr" / "Set5").glob("*.png")))))
    path = ex.output_path(fmt, tmp_path / "g")
    parity = ex.export_with_parity(net, fmt, path, multiple=4, image=photo[:100, :124])
    assert path.exists()
    assert parity.ok, parity.to_dict()
    labels = [c[0] for c in parity.checks]
    assert len(labels) == 3 and labels[-1].startswith("image")
    assert parity.max_diff <= ex.TOLERANCE[fmt]


def test_saved_model_is_servable_at_two_sizes(net, tmp_path):
    import tensorflow as tf

    ex.export_network(net, "saved_model", tmp_path / "sm")
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    sig = loaded.signatures["serving_default"]
    assert list(sig.structured_input_signature[1]) == ["image"]
    assert list(sig.structured_outputs) == ["output"]
    for shape in [(1, 32, 48, 3), (2, 64, 40, 3)]:
        x = np.random.default_rng(1).uniform(-1, 1, shape).astype("float32")
        y = sig(image=tf.constant(x))["output"].numpy()
        np.testing.assert_allclose(y, np.asarray(net(x)), atol=ex.TOLERANCE["saved_model"])


def test_super_resolution_onnx(tmp_path):
    model = sr_net()
    parity = ex.export_with_parity(model, "onnx", tmp_path / "sr.onnx")
    assert parity.ok
    got = ex.Runner("onnx", tmp_path / "sr.onnx")(np.zeros((1, 10, 14, 3), "float32"))
    assert got.shape == (1, 40, 56, 3)


def test_stochastic_network_is_checked_without_dropout(tmp_path):
    model = small_net(dropout=0.5)
    assert ex.is_stochastic(model)
    twin = ex.deterministic_twin(model)
    assert not ex.is_stochastic(twin)
    parity = ex.export_with_parity(model, "saved_model", tmp_path / "sm")
    assert parity.ok and "dropout disabled" in parity.note
    parity = ex.export_with_parity(model, "onnx", tmp_path / "d.onnx", no_dropout=True)
    assert parity.ok and "--no-dropout" in parity.note


def test_parity_detects_a_different_model(net, tmp_path):
    ex.export_network(net, "keras", tmp_path / "g.keras")
    other = small_net(seed=5)
    bad = ex.check_parity(other, "keras", tmp_path / "g.keras", ex.parity_inputs(4))
    assert not bad.ok and bad.max_diff > 1e-2


def test_formats_and_aliases():
    assert ex.normalise_format("tflite") == "litert"
    assert ex.output_path("litert", "out/m").name == "m.tflite"
    assert ex.output_path("saved_model", "out/m").name == "m"
    with pytest.raises(CgtkError, match="unknown export format"):
        ex.normalise_format("coreml")
    with pytest.raises(CgtkError, match="litert cannot be exported on the jax backend"):
        ex.check_backend("litert", "jax")


def test_export_on_jax(tmp_path):
    """keras and saved_model export from JAX; litert is refused with a clear message."""
    code = f"""
import numpy as np, keras, tensorflow as tf
from cgtk import export as ex
from cgtk.errors import CgtkError
keras.utils.set_random_seed(0)
inp = keras.Input((None, None, 3))
x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(inp)
x = keras.layers.UpSampling2D(2)(x)
m = keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x))
for fmt in ("keras", "saved_model"):
    p = ex.export_with_parity(m, fmt, ex.output_path(fmt, {str(tmp_path)!r} + "/g"), multiple=2)
    print(fmt, p.ok, p.max_diff)
sig = tf.saved_model.load({str(tmp_path)!r} + "/g").signatures["serving_default"]
print("sizes", [tuple(sig(image=tf.zeros(s))["output"].shape) for s in [(1, 8, 12, 3), (1, 16, 6, 3)]])
try:
    ex.export_network(m, "litert", {str(tmp_path)!r} + "/g.tflite")
except CgtkError as err:
    print("refused:", err)
"""
    r = run_python(code, backend="jax")
    assert "keras True" in r.stdout and "saved_model True" in r.stdout, r.stderr[-3000:]
    assert "sizes [(1, 8, 12, 3), (1, 16, 6, 3)]" in r.stdout
    assert "refused: --format litert cannot be exported on the jax backend" in r.stdout
    assert "--backend tensorflow" in r.stdout
