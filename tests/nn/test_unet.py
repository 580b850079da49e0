import keras
import numpy as np
import pytest

from cgtk.nn import AlwaysDropout, network_summary, required_multiple, unet_generator


@pytest.fixture(scope="module")
def unet256():
    return unet_generator(num_downs=8, ngf=64, norm="batch")


def test_reference_parameter_count(unet256):
    # The reference counts parameters (BN gamma + beta), not buffers (moving mean/var):
    # compare trainable params; all params add the 2 * BN-channels moving statistics.
    summary = network_summary(unet256)
    assert summary["trainable_params"] == 54_413_955
    bn_channels = sum(lay.gamma.shape[0] for lay in unet256.layers
                      if isinstance(lay, keras.layers.BatchNormalization))
    assert summary["params"] == 54_413_955 + 2 * bn_channels


def test_dropout_layers(unet256):
    drops = [lay for lay in unet256.layers if isinstance(lay, AlwaysDropout)]
    assert len(drops) == 3 and all(d.rate == 0.5 for d in drops)
    assert required_multiple(unet256) == 256


def test_unet128_shape_at_non_square_size():
    g = unet_generator(num_downs=7, ngf=4, dropout_at_inference=False)
    assert required_multiple(g) == 128
    dropouts = [lay for lay in g.layers if isinstance(lay, keras.layers.Dropout)]
    assert len(dropouts) == 2  # num_downs - 5
    y = keras.ops.convert_to_numpy(g(np.zeros((1, 128, 256, 3), "float32")))
    assert y.shape == (1, 128, 256, 3) and np.all(np.abs(y) <= 1)


def test_dropout_at_inference_is_stochastic_and_off_switch_is_not():
    x = np.random.default_rng(0).uniform(-1, 1, (1, 64, 64, 3)).astype("float32")
    noisy = unet_generator(num_downs=6, ngf=4, norm="instance", seed=1)
    a, b = (keras.ops.convert_to_numpy(noisy(x, training=False)) for _ in range(2))
    assert not np.allclose(a, b)
    calm = unet_generator(num_downs=6, ngf=4, norm="instance", seed=1,
                          dropout_at_inference=False)
    a, b = (keras.ops.convert_to_numpy(calm(x, training=False)) for _ in range(2))
    np.testing.assert_array_equal(a, b)


def test_skip_concat_channels_and_bias_rule():
    g = unet_generator(num_downs=5, ngf=2, norm="batch", use_dropout=False)
    cats = [lay for lay in g.layers if isinstance(lay, keras.layers.Concatenate)]
    assert [c.output.shape[-1] for c in cats] == [32, 16, 8, 4]
    convs = [lay for lay in g.layers if isinstance(lay, keras.layers.Conv2D | keras.layers.Conv2DTranspose)]
    assert [c.use_bias for c in convs] == [False] * (len(convs) - 1) + [True]
    with pytest.raises(ValueError, match="num_downs"):
        unet_generator(num_downs=4)


def test_save_load(roundtrip, tmp_path):
    roundtrip(unet_generator(num_downs=5, ngf=4, dropout_at_inference=False), (2, 32, 64, 3))
    noisy = unet_generator(num_downs=6, ngf=2, norm="instance", seed=3)
    path = tmp_path / "noisy.keras"
    noisy.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert sum(isinstance(lay, AlwaysDropout) for lay in loaded.layers) == 1
    assert required_multiple(loaded) == 64
