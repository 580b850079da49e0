import keras
import numpy as np
import pytest

from cgtk.nn import ReflectionPadding2D


@pytest.mark.parametrize("padding, np_pad", [
    (1, ((1, 1), (1, 1))),
    (3, ((3, 3), (3, 3))),
    ((2, 1), ((2, 2), (1, 1))),
    (((1, 0), (0, 2)), ((1, 0), (0, 2))),
])
def test_matches_numpy_reflect(padding, np_pad):
    x = np.random.default_rng(1).normal(size=(2, 5, 7, 3)).astype("float32")
    y = keras.ops.convert_to_numpy(ReflectionPadding2D(padding)(x))
    np.testing.assert_array_equal(y, np.pad(x, ((0, 0), *np_pad, (0, 0)), mode="reflect"))


def test_symbolic_shape_keeps_unknown_sizes():
    inputs = keras.Input((None, 6, 2))
    assert tuple(ReflectionPadding2D(((1, 2), (3, 0)))(inputs).shape) == (None, None, 9, 2)


def test_config_roundtrip():
    layer = ReflectionPadding2D((2, 1), name="pad")
    clone = ReflectionPadding2D.from_config(layer.get_config())
    assert clone.padding == ((2, 2), (1, 1))
    assert keras.saving.get_registered_name(ReflectionPadding2D) == "cgtk>ReflectionPadding2D"


@pytest.mark.parametrize("bad", [-1, (1, 2, 3), ((1, 2, 3), (1, 1))])
def test_rejects_bad_padding(bad):
    with pytest.raises(ValueError, match="padding"):
        ReflectionPadding2D(bad)
