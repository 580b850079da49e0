import keras
import numpy as np
import pytest

from cgtk.nn import AlwaysDropout


def test_drops_at_inference_and_training():
    x = np.ones((4, 16, 16, 8), "float32")
    layer = AlwaysDropout(0.5, seed=3)
    for training in (False, True, None):
        y = keras.ops.convert_to_numpy(layer(x, training=training))
        assert set(np.unique(y).tolist()) == {0.0, 2.0}
        assert 0.4 < (y == 0).mean() < 0.6


def test_new_mask_each_call():
    x = np.ones((1, 8, 8, 4), "float32")
    layer = AlwaysDropout(0.5, seed=3)
    a, b = (keras.ops.convert_to_numpy(layer(x)) for _ in range(2))
    assert not np.array_equal(a, b)


def test_rate_zero_is_identity():
    x = np.random.default_rng(0).normal(size=(2, 3)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(AlwaysDropout(0.0)(x)), x)


def test_config_and_bad_rate():
    layer = AlwaysDropout(0.3, seed=7)
    clone = AlwaysDropout.from_config(layer.get_config())
    assert (clone.rate, clone.seed) == (0.3, 7)
    with pytest.raises(ValueError, match="rate"):
        AlwaysDropout(1.0)
