import keras
import numpy as np
import pytest

from cgtk.nn import norm_layer, uses_bias


def test_instance_norm_matches_numpy():
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(2, 5, 6, 4)).astype("float32")
    y = keras.ops.convert_to_numpy(norm_layer("instance")(x))
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)  # biased, as InstanceNorm2d
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5)


def test_instance_norm_has_no_weights_and_pytorch_epsilon():
    layer = norm_layer("instance")
    layer.build((None, None, None, 8))
    assert layer.weights == [] and layer.epsilon == 1e-5


def test_batch_norm_matches_pytorch_settings():
    layer = norm_layer("batch", init_gain=0.02, seed=1)
    layer.build((None, None, None, 256))
    assert (layer.momentum, layer.epsilon) == (0.9, 1e-5)
    gamma = keras.ops.convert_to_numpy(layer.gamma)
    assert abs(gamma.mean() - 1.0) < 0.01 and 0.01 < gamma.std() < 0.03
    assert not np.any(keras.ops.convert_to_numpy(layer.beta))


def test_none_and_unknown():
    assert norm_layer("none") is None
    with pytest.raises(ValueError, match="unknown norm 'layer'"):
        norm_layer("layer")
    assert [uses_bias(k) for k in ("instance", "batch", "none")] == [True, False, True]
