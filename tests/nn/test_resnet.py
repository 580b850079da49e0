import keras
import numpy as np
import pytest

from cgtk.nn import ReflectionPadding2D, network_summary, required_multiple, resnet_generator


@pytest.fixture(scope="module")
def full9():
    return resnet_generator(ngf=64, n_blocks=9)


@pytest.fixture(scope="module")
def tiny():
    return resnet_generator(ngf=8, n_blocks=2, seed=0, name="G_A")


def test_reference_parameter_counts(full9):
    # No norm weights with instance norm, so params == trainable params here.
    assert full9.count_params() == 11_378_179
    assert network_summary(full9)["trainable_params"] == 11_378_179
    assert resnet_generator(ngf=64, n_blocks=6).count_params() == 7_837_699


def test_nearest_upsampling_same_count(full9):
    assert resnet_generator(ngf=64, n_blocks=9, upsample="nearest").count_params() == \
        full9.count_params()


def test_output_shape_range_and_dtype(tiny):
    x = np.random.default_rng(0).uniform(-1, 1, (2, 36, 44, 3)).astype("float32")
    y = keras.ops.convert_to_numpy(tiny(x))
    assert y.shape == (2, 36, 44, 3) and y.dtype == np.float32
    assert np.all(np.abs(y) <= 1)
    assert required_multiple(tiny) == 4


def test_structure(tiny):
    pads = [layer.padding for layer in tiny.layers if isinstance(layer, ReflectionPadding2D)]
    assert pads.count(((3, 3), (3, 3))) == 2 and pads.count(((1, 1), (1, 1))) == 4
    assert sum(isinstance(layer, keras.layers.Add) for layer in tiny.layers) == 2
    transposed = [lay for lay in tiny.layers if isinstance(lay, keras.layers.Conv2DTranspose)]
    assert [t.filters for t in transposed] == [16, 8]
    assert tiny.layers[-1].activation.__name__ == "tanh"


def test_batch_norm_drops_bias_except_last_conv():
    g = resnet_generator(ngf=4, n_blocks=1, norm="batch")
    convs = [lay for lay in g.layers if isinstance(lay, keras.layers.Conv2D | keras.layers.Conv2DTranspose)]
    assert [c.use_bias for c in convs] == [False] * (len(convs) - 1) + [True]


def test_options_shapes():
    x = np.zeros((1, 32, 40, 1), "float32")
    g = resnet_generator(1, 2, ngf=4, n_blocks=1, norm="none", use_dropout=True,
                         upsample="nearest", init="kaiming")
    assert tuple(g(x).shape) == (1, 32, 40, 2)
    with pytest.raises(ValueError, match="unknown upsample"):
        resnet_generator(upsample="bilinear")


def test_save_load(tiny, roundtrip):
    loaded = roundtrip(tiny, (1, 36, 44, 3))
    assert loaded.name == "G_A" and required_multiple(loaded) == 4


def test_save_load_nearest_batch_norm(roundtrip):
    roundtrip(resnet_generator(ngf=4, n_blocks=1, norm="batch", upsample="nearest",
                               use_dropout=True), (2, 16, 24, 3))
