import doctest

import keras
import numpy as np
import pytest

import cgtk.losses.pixel
from cgtk.losses import l1, mse

RNG = np.random.default_rng(0)
A = RNG.uniform(-1, 1, (2, 6, 5, 3)).astype("float32")
B = RNG.uniform(-1, 1, (2, 6, 5, 3)).astype("float32")


def value(x):
    x = keras.ops.convert_to_numpy(x)
    assert x.shape == () and x.dtype == np.float32
    return float(x)


def test_l1_matches_numpy():
    assert value(l1(A, B)) == pytest.approx(np.mean(np.abs(A - B)), rel=1e-6)


def test_mse_matches_numpy():
    assert value(mse(A, B)) == pytest.approx(np.mean((A - B) ** 2), rel=1e-6)


def test_mixed_dtypes_compute_in_float32():
    a16 = A.astype("float16")
    expected = np.mean(np.abs(a16.astype("float32") - B))
    assert value(l1(keras.ops.convert_to_tensor(a16), B)) == pytest.approx(expected, rel=1e-6)
    assert value(mse(a16, a16)) == 0.0


def test_docstring_examples():
    result = doctest.testmod(cgtk.losses.pixel)
    assert result.attempted > 0 and result.failed == 0
