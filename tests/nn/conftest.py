"""Shared helpers for the cgtk.nn tests."""
import keras
import numpy as np
import pytest


@pytest.fixture
def roundtrip(tmp_path):
    """Save ``model`` to ``.keras``, reload with ``safe_mode=True``; assert equal outputs."""

    def check(model, shape, **call_kwargs):
        x = np.random.default_rng(0).uniform(-1, 1, shape).astype("float32")
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        loaded = keras.saving.load_model(path, safe_mode=True)
        assert type(loaded) is type(model)
        assert loaded.count_params() == model.count_params()
        expected = keras.ops.convert_to_numpy(model(x, training=False, **call_kwargs))
        got = keras.ops.convert_to_numpy(loaded(x, training=False, **call_kwargs))
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
        return loaded

    return check
