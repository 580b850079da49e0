import keras
import numpy as np
import pytest

from cgtk.nn import initializer, resnet_generator


def _draw(kind, shape, gain=0.02):
    return keras.ops.convert_to_numpy(initializer(kind, gain, seed=0)(shape))


def test_normal():
    w = _draw("normal", (4, 4, 64, 128))
    assert abs(w.mean()) < 1e-3 and abs(w.std() - 0.02) < 1e-3


def test_xavier_has_gain_and_is_untruncated():
    shape = (3, 3, 64, 128)
    w = _draw("xavier", shape, gain=2.0)
    fan_in, fan_out = 9 * 64, 9 * 128
    expected = 2.0 * np.sqrt(2.0 / (fan_in + fan_out))
    assert abs(w.std() - expected) / expected < 0.03
    assert np.abs(w).max() > 2.5 * expected  # a truncated normal stops at 2 std


def test_kaiming_fan_in():
    w = _draw("kaiming", (3, 3, 64, 128))
    expected = np.sqrt(2.0 / (9 * 64))
    assert abs(w.std() - expected) / expected < 0.03


def test_orthogonal_gain():
    w = _draw("orthogonal", (1, 1, 16, 16), gain=0.5).reshape(16, 16)
    np.testing.assert_allclose(w.T @ w, 0.25 * np.eye(16), atol=1e-5)


def test_unknown_init():
    with pytest.raises(ValueError, match="unknown init"):
        initializer("uniform")


def test_builder_layers_distinct_biases_zero_and_seeded():
    a = resnet_generator(ngf=4, n_blocks=2, seed=5)
    b = resnet_generator(ngf=4, n_blocks=2, seed=5)
    kernels = [w for w in a.weights if "kernel" in w.path]
    biases = [w for w in a.weights if "bias" in w.path]
    assert biases and not any(np.any(keras.ops.convert_to_numpy(w)) for w in biases)
    block_kernels = [keras.ops.convert_to_numpy(w) for w in kernels if w.shape == (3, 3, 16, 16)]
    assert len(block_kernels) == 4
    assert not np.array_equal(block_kernels[0], block_kernels[1])  # fresh init per layer
    for wa, wb in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(wa),
                                      keras.ops.convert_to_numpy(wb))
