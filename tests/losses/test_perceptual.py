"""cgtk.losses.perceptual: VGG features (random weights), losses vs NumPy, weights handling."""
import os
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest

from cgtk.errors import CgtkError
from cgtk.losses.perceptual import (
    IMAGENET_MEAN_BGR,
    SRGAN_RESCALE,
    VGG_WEIGHTS,
    VGGFeatures,
    feature_loss,
    gram_matrix,
    srgan_vgg,
    style_loss,
    total_variation,
    vgg_layer_name,
    vgg_preprocess,
)

OFFLINE = ("URL fetch failure on https://storage.googleapis.com/tensorflow/keras-applications/"
           "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5: None -- "
           "[Errno -3] Temporary failure in name resolution")
LAYERS = ["relu1_2", "block2_conv2", "relu3_3"]


@pytest.fixture(autouse=True)
def offline_homes(tmp_path, monkeypatch):
    """Empty CGTK_HOME/KERAS_HOME, no override env, downloads fail like keras offline."""
    monkeypatch.setenv("CGTK_HOME", str(tmp_path / "cgtk_home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    for name in ("CGTK_VGG_WEIGHTS", "CGTK_VGG16_WEIGHTS", "CGTK_VGG19_WEIGHTS"):
        monkeypatch.delenv(name, raising=False)

    def no_network(*args, **kwargs):
        raise Exception(OFFLINE)

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    return tmp_path


@pytest.fixture(scope="module")
def vgg():
    with pytest.warns(UserWarning, match="RANDOM weights"):
        return VGGFeatures("vgg16", LAYERS, weights=None)


def _np(x):
    return keras.ops.convert_to_numpy(x)


# ------------------------------------------------------------- extractor ---

def test_layer_names():
    assert vgg_layer_name("relu1_2") == "block1_conv2"
    assert vgg_layer_name("relu5_4") == "block5_conv4"
    assert vgg_layer_name("conv4_3") == "block4_conv3"
    assert vgg_layer_name("pool3") == "block3_pool"
    assert vgg_layer_name("block2_conv1") == "block2_conv1"


def test_preprocess_matches_numpy():
    x = np.random.default_rng(0).uniform(-1, 1, (2, 4, 5, 3)).astype(np.float32)
    expected = ((x.astype(np.float64) + 1) * 127.5)[..., ::-1] - np.array(IMAGENET_MEAN_BGR)
    np.testing.assert_allclose(_np(vgg_preprocess(x)), expected, rtol=1e-5, atol=1e-4)
    assert _np(vgg_preprocess(x)).dtype == np.float32


def test_features_shapes_order_and_values(vgg):
    x = np.random.default_rng(1).uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)
    feats = vgg(x)
    assert [tuple(f.shape) for f in feats] == [(2, 32, 32, 64), (2, 16, 16, 128), (2, 8, 8, 256)]
    assert all(_np(f).dtype == np.float32 for f in feats)
    direct = vgg.model(((x + 1) * 127.5)[..., ::-1] - np.array(IMAGENET_MEAN_BGR, np.float32))
    for a, b in zip(feats, direct, strict=True):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-4, atol=1e-3)
    assert list(vgg.as_dict(feats)) == LAYERS
    # any spatial size
    assert tuple(vgg(np.zeros((1, 24, 40, 3), np.float32))[2].shape) == (1, 6, 10, 256)


def test_frozen_and_truncated(vgg):
    assert vgg.trainable is False and vgg.trainable_weights == []
    assert len(vgg.non_trainable_weights) == 2 * 7  # conv1_1 .. conv3_3: 7 convs
    names = [layer.name for layer in vgg.model.layers]
    assert names[-1] == "block3_conv3"
    assert not any(n.startswith(("block4", "block5")) for n in names)


def test_bad_layer_and_network_are_user_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(CgtkError, match="no layer 'relu5_4'.*relu5_3"):
            VGGFeatures("vgg16", ["relu5_4"], weights=None)
    with pytest.raises(CgtkError, match="vgg16 or vgg19"):
        VGGFeatures("resnet50", ["relu1_1"], weights=None)


def test_computes_in_float32_under_mixed_precision():
    keras.config.set_dtype_policy("mixed_float16")
    try:
        with pytest.warns(UserWarning):
            ext = VGGFeatures("vgg16", ["relu1_1"], weights=None)
        (f,) = ext(np.zeros((1, 8, 8, 3), np.float16))
    finally:
        keras.config.set_dtype_policy("float32")
    assert keras.config.dtype_policy().name == "float32"
    assert _np(f).dtype == np.float32
    assert all(w.dtype == "float32" for w in ext.weights)


def test_srgan_vgg54_rescale():
    with pytest.warns(UserWarning):
        ext = srgan_vgg(weights="none")
    assert ext.network == "vgg19" and ext.keras_layers == ["block5_conv4"]
    assert SRGAN_RESCALE == pytest.approx(1 / 12.75)
    x = np.random.default_rng(2).uniform(-1, 1, (1, 32, 32, 3)).astype(np.float32)
    (f,) = ext(x)
    assert tuple(f.shape) == (1, 2, 2, 512)
    raw = ext.model(_np(vgg_preprocess(x)))
    raw = raw[0] if isinstance(raw, list) else raw
    np.testing.assert_allclose(_np(f), _np(raw) / 12.75, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------- losses ---

def test_feature_loss_vs_numpy():
    rng = np.random.default_rng(3)
    a = [rng.normal(size=(2, 4, 4, 3)), rng.normal(size=(2, 2, 2, 5))]
    b = [rng.normal(size=(2, 4, 4, 3)), rng.normal(size=(2, 2, 2, 5))]
    expected = 0.5 * ((a[0] - b[0]) ** 2).mean() + 2.0 * ((a[1] - b[1]) ** 2).mean()
    assert float(feature_loss(a, b, [0.5, 2.0])) == pytest.approx(expected, rel=1e-5)
    as_dict = feature_loss({"x": a[0], "y": a[1]}, {"x": b[0], "y": b[1]}, {"x": 0.5, "y": 2.0})
    assert float(as_dict) == pytest.approx(expected, rel=1e-5)


def _gram_np(x):
    b, h, w, c = x.shape
    f = x.reshape(b, h * w, c)
    return np.einsum("bnc,bnd->bcd", f, f) / (c * h * w)


def test_gram_and_style_loss_vs_numpy():
    rng = np.random.default_rng(4)
    f1, f2 = rng.normal(size=(3, 5, 4, 6)), rng.normal(size=(3, 3, 3, 2))
    np.testing.assert_allclose(_np(gram_matrix(f1.astype(np.float32))), _gram_np(f1),
                               rtol=1e-4, atol=1e-6)
    t1, t2 = _gram_np(rng.normal(size=(1, 5, 4, 6))), _gram_np(rng.normal(size=(1, 2, 2, 2)))
    # Johnson: squared Frobenius norm per layer (sum over C x C), batch mean, weighted sum
    per_layer = [((_gram_np(f1) - t1) ** 2).sum(axis=(1, 2)).mean(),
                 ((_gram_np(f2) - t2) ** 2).sum(axis=(1, 2)).mean()]
    got = style_loss([f1, f2], [t1, t2], weights=[1.0, 3.0])
    assert float(got) == pytest.approx(per_layer[0] + 3 * per_layer[1], rel=1e-4)


def test_total_variation_vs_numpy():
    x = np.random.default_rng(5).normal(size=(2, 6, 7, 3))
    dy, dx = np.diff(x, axis=1), np.diff(x, axis=2)
    assert float(total_variation(x)) == pytest.approx((dy**2).mean() + (dx**2).mean(), rel=1e-5)
    assert float(total_variation(x, "absolute")) == pytest.approx(
        np.abs(dy).mean() + np.abs(dx).mean(), rel=1e-5)
    with pytest.raises(ValueError):
        total_variation(x, "huber")


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="tf.GradientTape; the JAX path is test_losses_and_gradients_on_jax")
def test_gradients_reach_generator_not_vgg(vgg):
    import tensorflow as tf

    gen = keras.Sequential([keras.Input((None, None, 3)),
                            keras.layers.Conv2D(3, 3, padding="same", activation="tanh")])
    x = np.random.default_rng(6).uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)
    target = vgg(x)
    style = [gram_matrix(f) for f in target]
    before = [_np(w).copy() for w in vgg.weights]
    with tf.GradientTape() as tape:
        y = gen(x)
        feats = vgg(y)
        loss = feature_loss(feats, target) + style_loss(feats, style) + total_variation(y)
    # (the tape may watch VGG's tf.Variables -- they were created trainable -- but
    # nothing asks for their gradients: they are not trainable weights of anything)
    grads = tape.gradient(loss, gen.trainable_variables)
    assert all(g is not None and float(tf.reduce_sum(tf.abs(g))) > 0 for g in grads)
    keras.optimizers.Adam(1e-2).apply(grads, gen.trainable_variables)
    for w, b in zip(vgg.weights, before, strict=True):
        np.testing.assert_array_equal(_np(w), b)
    # inside a model, VGG's weights are not trainable weights of the model
    inp = keras.Input((32, 32, 3))
    outer = keras.Model(inp, vgg(gen(inp)))
    assert {id(w) for w in outer.trainable_weights} == {id(w) for w in gen.trainable_weights}


def test_losses_and_gradients_on_jax(tmp_path):
    code = textwrap.dedent("""
        import warnings, numpy as np, jax, keras
        assert keras.backend.backend() == "jax"
        from cgtk.losses.perceptual import (VGGFeatures, feature_loss, gram_matrix,
                                            style_loss, total_variation)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vgg = VGGFeatures("vgg16", ["relu1_2", "relu2_2"], weights=None)
        x = np.random.default_rng(0).uniform(-1, 1, (1, 16, 16, 3)).astype("float32")
        target = vgg(x)
        grams = [gram_matrix(f) for f in target]
        def loss(y):
            f = vgg(y)
            return feature_loss(f, target) + style_loss(f, grams) + total_variation(y)
        g = np.asarray(jax.jit(jax.grad(loss))(x * 0.5))
        assert np.isfinite(g).all() and np.abs(g).sum() > 0
        tv = float(total_variation(x))
        ref = (np.diff(x, axis=1) ** 2).mean() + (np.diff(x, axis=2) ** 2).mean()
        assert abs(tv - ref) < 1e-5 * ref, (tv, ref)
        print("JAX-OK")
    """)
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0 and "JAX-OK" in out.stdout, out.stderr[-3000:]


# ---------------------------------------------------------------- weights ---

def test_offline_imagenet_is_one_line_error(offline_homes):
    with pytest.raises(CgtkError) as info:
        VGGFeatures("vgg16", ["relu2_2"], weights="imagenet")
    text = str(info.value)
    assert "\n" not in text
    for part in ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "--set vgg_weights=PATH",
                 "CGTK_VGG16_WEIGHTS", "URL fetch failure",
                 str(offline_homes / "cgtk_home" / "weights")):
        assert part in text


def test_each_vgg_has_its_own_variable_and_the_shared_one_is_refused(monkeypatch, tmp_path):
    from cgtk.losses.perceptual import VGG_WEIGHTS
    from cgtk.weights import find_weights
    assert VGG_WEIGHTS["vgg16"].env == "CGTK_VGG16_WEIGHTS"
    assert VGG_WEIGHTS["vgg19"].env == "CGTK_VGG19_WEIGHTS"
    f16 = tmp_path / "a16.h5"
    f16.write_bytes(b"x")
    for name in ("CGTK_VGG_WEIGHTS", "CGTK_VGG16_WEIGHTS", "CGTK_VGG19_WEIGHTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CGTK_VGG16_WEIGHTS", str(f16))
    assert find_weights(VGG_WEIGHTS["vgg16"]) == f16
    # the VGG16 file is not offered to VGG19
    assert find_weights(VGG_WEIGHTS["vgg19"]) != f16
    monkeypatch.setenv("CGTK_VGG_WEIGHTS", str(f16))
    with pytest.raises(CgtkError, match="CGTK_VGG_WEIGHTS is no longer read") as info:
        find_weights(VGG_WEIGHTS["vgg19"])
    assert "CGTK_VGG19_WEIGHTS" in str(info.value)


@pytest.fixture(scope="module")
def saved_vgg16(tmp_path_factory):
    """Random VGG16 (no top) weights saved both as .weights.h5 and as a legacy .h5."""
    import h5py
    from keras.src.legacy.saving.legacy_h5_format import save_weights_to_hdf5_group

    model = keras.applications.VGG16(include_top=False, weights=None,
                                     input_shape=(None, None, 3))
    d = tmp_path_factory.mktemp("vgg")
    new = d / "vgg16_random.weights.h5"
    model.save_weights(new)
    legacy = d / VGG_WEIGHTS["vgg16"].filename  # the keras.applications file format
    with h5py.File(legacy, "w") as f:
        save_weights_to_hdf5_group(f, model)
    return model, new, legacy


def _check_loaded(ext, model):
    x = np.random.default_rng(7).uniform(-1, 1, (1, 32, 32, 3)).astype(np.float32)
    (got,) = ext(x)
    sub = keras.Model(model.input, model.get_layer("block2_conv2").output)
    np.testing.assert_allclose(_np(got), _np(sub(vgg_preprocess(x))), rtol=1e-4, atol=1e-3)


def test_load_from_local_path(saved_vgg16):
    model, new, _ = saved_vgg16
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "random weights" warning
        ext = VGGFeatures("vgg16", ["relu2_2"], weights=str(new))
    assert ext.weights_source == str(new)
    _check_loaded(ext, model)


def test_load_from_env_and_from_cgtk_home(saved_vgg16, monkeypatch, offline_homes):
    model, new, legacy = saved_vgg16
    monkeypatch.setenv("CGTK_VGG16_WEIGHTS", str(new))
    _check_loaded(VGGFeatures("vgg16", ["relu2_2"]), model)
    monkeypatch.delenv("CGTK_VGG16_WEIGHTS")
    home = offline_homes / "cgtk_home" / "weights"
    home.mkdir(parents=True)
    (home / legacy.name).symlink_to(legacy)
    _check_loaded(VGGFeatures("vgg16", ["relu2_2"]), model)


@pytest.mark.filterwarnings("ignore:Skipping nested container:UserWarning")
def test_wrong_file_is_a_clear_error(saved_vgg16):
    _, new, _ = saved_vgg16
    with pytest.raises(CgtkError, match="cannot load vgg19 weights"):
        VGGFeatures("vgg19", ["relu1_1"], weights=str(new))
    with pytest.raises(CgtkError, match="vgg_weights=.*no such file"):
        VGGFeatures("vgg16", ["relu1_1"], weights="/nonexistent/vgg.h5")


# ------------------------------------------------------ before activation ---

def test_pre_activation_layers_are_the_convolutions_before_their_relu():
    with pytest.warns(UserWarning, match="RANDOM weights"):
        both = VGGFeatures("vgg16", ["relu2_2", "conv2_2_pre", "conv1_2_pre"], weights=None)
    assert vgg_layer_name("conv5_4_pre") == "block5_conv4_pre"
    assert both.keras_layers == ["block2_conv2", "block2_conv2_pre", "block1_conv2_pre"]
    x = np.random.default_rng(0).uniform(-1, 1, (1, 16, 16, 3)).astype("float32")
    post, pre, pre1 = (_np(f) for f in both(x))
    assert pre.min() < 0 and pre1.min() < 0                 # really before the ReLU
    np.testing.assert_allclose(np.maximum(pre, 0), post, rtol=1e-5, atol=1e-4)
    with pytest.warns(UserWarning, match="RANDOM weights"):
        flag = VGGFeatures("vgg16", ["relu2_2", "pool1"], weights=None, before_relu=True)
    assert flag.keras_layers == ["block2_conv2_pre", "block1_pool"]
    restored = VGGFeatures.from_config(flag.get_config())
    assert restored.before_relu and restored.keras_layers == flag.keras_layers
    with pytest.raises(CgtkError, match="no layer 'pool1_pre'"):
        VGGFeatures("vgg16", ["pool1_pre"], weights=None)


def test_feature_l1_loss_matches_numpy():
    from cgtk.losses.perceptual import feature_l1_loss

    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 2, 4, 4, 3)).astype("float32")
    want = 0.3 * np.mean(np.abs(a - b))
    assert float(feature_l1_loss([a], [b], weights=[0.3])) == pytest.approx(want, rel=1e-5)
