import warnings

import numpy as np
import pytest

from cgtk.errors import CgtkError
from cgtk.metrics import inception
from cgtk.metrics.inception import (
    INCEPTION_WEIGHTS,
    KERAS_LABEL,
    InceptionFeatures,
    compute_fid,
)

OFFLINE = ("URL fetch failure on https://storage.googleapis.com/x.h5: None -- "
           "[Errno -3] Temporary failure in name resolution")


@pytest.fixture(autouse=True)
def offline_homes(tmp_path, monkeypatch):
    """Empty CGTK_HOME/KERAS_HOME, no overrides, and downloads that fail like keras offline."""
    import keras

    monkeypatch.setenv("CGTK_HOME", str(tmp_path / "cgtk_home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    for var in ("CGTK_INCEPTION_WEIGHTS", "CGTK_FID_INCEPTION"):
        monkeypatch.delenv(var, raising=False)

    def no_network(*args, **kwargs):
        raise Exception(OFFLINE)

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    return tmp_path


# ---------------------------------------------------------- keras source ---

@pytest.fixture(scope="module")
def proxy():
    with pytest.warns(UserWarning, match="RANDOM"):
        return InceptionFeatures("keras", weights="random-proxy", image_size=75, batch_size=3)


def test_proxy_features_and_label(proxy):
    assert proxy.proxy and "RANDOM" in proxy.label
    x = np.random.default_rng(0).integers(0, 256, (4, 20, 20, 3), dtype=np.uint8)
    f = proxy(x)
    assert f.shape == (4, 2048) and f.dtype == np.float64
    np.testing.assert_allclose(proxy(x), f, rtol=1e-5, atol=1e-6)
    # uint8 and the same images as [-1, 1] floats give the same features
    np.testing.assert_allclose(proxy(x.astype(np.float32) / 127.5 - 1), f, rtol=1e-4, atol=1e-5)
    # a list of different sizes works
    assert proxy([x[0], x[1, :10]]).shape == (2, 2048)


class _FirstFeatures:
    """The proxy extractor cut to 16 features: FID of 2048-d is seconds of sqrtm."""

    def __init__(self, inner):
        self.inner, self.label, self.resize, self.proxy = inner, inner.label, inner.resize, True

    def __call__(self, images):
        return self.inner(images)[:, :16]


def test_compute_fid_is_labelled_proxy(proxy):
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (5, 16, 16, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (5, 16, 16, 3), dtype=np.uint8)
    res = compute_fid(a, b, _FirstFeatures(proxy), kid_subsets=4, kid_subset_size=5)
    assert res.proxy and "PROXY" in str(res)
    assert res.n_real == res.n_fake == 5 and "bilinear" in res.resize
    assert np.isfinite(res.fid) and np.isfinite(res.kid_mean)


def test_default_resize_is_299_bilinear(saved_model):
    ext = InceptionFeatures(str(saved_model))
    assert ext.image_size == 299 and ext.resize.startswith("bilinear to 299x299")
    x = np.random.default_rng(4).uniform(-1, 1, (1, 10, 12, 3)).astype(np.float32)
    import tensorflow as tf

    expected = tf.image.resize(x, (299, 299), method="bilinear", antialias=False).numpy()
    np.testing.assert_allclose(ext._resize(x), expected)


def test_random_weights_are_refused():
    with pytest.raises(CgtkError, match="pretrained"):
        InceptionFeatures("keras", weights=None)


def test_offline_error_is_one_line_with_the_ways_out():
    with pytest.raises(CgtkError) as info:
        InceptionFeatures("keras")
    text = str(info.value)
    assert "\n" not in text
    for part in (INCEPTION_WEIGHTS.filename, "--set inception_weights=PATH",
                 "CGTK_INCEPTION_WEIGHTS", "URL fetch failure"):
        assert part in text


def _tiny_inception(**kwargs):
    """A stand-in for InceptionV3 with the same interface (avg-pooled features)."""
    import keras

    s = kwargs["input_shape"]
    x = keras.Input(s)
    y = keras.layers.Conv2D(8, 3, name="conv")(x)
    return keras.Model(x, keras.layers.GlobalAveragePooling2D()(y))


def test_local_weights_file_is_loaded(tmp_path, monkeypatch):
    import keras

    monkeypatch.setattr(keras.applications, "InceptionV3", _tiny_inception)
    src = _tiny_inception(input_shape=(75, 75, 3))
    path = tmp_path / "inception.weights.h5"
    src.save_weights(path)
    x = np.random.default_rng(2).uniform(-1, 1, (2, 75, 75, 3)).astype(np.float32)
    expected = np.asarray(src(x))
    for ext in (InceptionFeatures("keras", weights=str(path), image_size=75),
                (monkeypatch.setenv("CGTK_INCEPTION_WEIGHTS", str(path))
                 or InceptionFeatures("keras", image_size=75))):
        assert not ext.proxy and ext.label == KERAS_LABEL
        np.testing.assert_allclose(ext(x), expected, rtol=1e-5, atol=1e-6)


def test_missing_local_file_names_the_flag(tmp_path):
    with pytest.raises(CgtkError, match="inception_weights=.*no such file"):
        InceptionFeatures("keras", weights=str(tmp_path / "nope.h5"))


# ------------------------------------------------------ SavedModel source ---

@pytest.fixture(scope="module")
def projection():
    return np.random.default_rng(3).normal(size=(3, 2048)).astype(np.float32)


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory, projection):
    """A tiny SavedModel with the 2015 graph's interface: images in, pool_3 [N,1,1,2048] out."""
    import tensorflow as tf

    class Fake(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.constant(projection)

        @tf.function(input_signature=[tf.TensorSpec([None, 299, 299, 3], tf.float32)])
        def serve(self, images):
            f = images[:, 0, 0, :] @ self.w  # exact (a float32 mean would not be)
            return {"pool_3": f[:, None, None, :], "logits": f[:, :10]}

    module = Fake()
    path = tmp_path_factory.mktemp("sm") / "tfgan_inception"
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve})
    return path


def _constant_images():
    colours = np.array([[0, 128, 255], [10, 20, 30]], np.uint8)
    return np.broadcast_to(colours[:, None, None, :], (2, 32, 40, 3)).copy(), colours


def test_saved_model_from_path(saved_model, projection):
    ext = InceptionFeatures(str(saved_model))
    assert not ext.proxy and ext.label.startswith("tfgan-inception-2015 pool_3")
    images, colours = _constant_images()
    expected = (colours / 127.5 - 1) @ projection  # constant images survive resizing
    np.testing.assert_allclose(ext(images), expected, rtol=1e-5, atol=1e-4)
    ext255 = InceptionFeatures(str(saved_model), input_range=(0, 255))
    np.testing.assert_allclose(ext255(images), colours.astype(np.float64) @ projection,
                               rtol=1e-5, atol=1e-3)


def test_saved_model_output_key(saved_model):
    assert InceptionFeatures(str(saved_model), output_key="logits")(
        _constant_images()[0]).shape == (2, 10)
    with pytest.raises(CgtkError, match="logits.*pool_3|no output"):
        InceptionFeatures(str(saved_model), output_key="pool3")(_constant_images()[0])


def test_auto_prefers_saved_model_from_env_or_cgtk_home(saved_model, monkeypatch, offline_homes):
    monkeypatch.setenv("CGTK_FID_INCEPTION", str(saved_model))
    assert InceptionFeatures("auto").source == str(saved_model)
    monkeypatch.delenv("CGTK_FID_INCEPTION")
    import shutil

    dest = inception.default_tfgan_dir()
    shutil.copytree(saved_model, dest)
    assert InceptionFeatures().source == str(dest)


def test_tfgan_source_missing_or_bad_path(tmp_path, monkeypatch):
    with pytest.raises(CgtkError, match="CGTK_FID_INCEPTION"):
        InceptionFeatures("tfgan")
    with pytest.raises(CgtkError, match="saved_model.pb"):
        InceptionFeatures(str(tmp_path))
    monkeypatch.setenv("CGTK_FID_INCEPTION", str(tmp_path))
    with pytest.raises(CgtkError, match="CGTK_FID_INCEPTION"):
        InceptionFeatures("auto")


def test_auto_without_saved_model_falls_back_to_keras_and_refuses_offline():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CgtkError, match=INCEPTION_WEIGHTS.filename):
            InceptionFeatures("auto")
