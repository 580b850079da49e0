"""``Predictor`` on TensorFlow runs the network as a graph traced once for every image size,
and falls back to one trace per shape for a network that needs static sizes."""
import keras
import numpy as np
import pytest

from cgtk.inference import Predictor


@pytest.fixture(scope="module")
def tf():
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the graph path is TensorFlow's (JAX compiles per shape)")
    import tensorflow as tf
    return tf


def _conv_net():
    inp = keras.Input((None, None, 3))
    return keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same", activation="relu")(inp))


def _bilinear_net():   # Keras's bilinear UpSampling2D cannot trace with unknown sizes
    inp = keras.Input((None, None, 3))
    y = keras.layers.Conv2D(3, 3, padding="same")(inp)
    return keras.Model(inp, keras.layers.UpSampling2D(2, interpolation="bilinear")(y))


def test_one_graph_for_every_size(tf):
    net = _conv_net()
    p = Predictor(net)
    rng = np.random.default_rng(0)
    for shape in ((1, 10, 13, 3), (2, 7, 5, 3)):
        x = rng.uniform(-1, 1, shape).astype("float32")
        np.testing.assert_allclose(p.forward(x), np.asarray(net(x)), atol=1e-5)
    assert len(p._forward.graphs) == 1
    assert isinstance(p._forward.graphs[3], tf.types.experimental.ConcreteFunction)


def test_network_needing_static_sizes_traces_per_shape(tf):
    net = _bilinear_net()
    p = Predictor(net, scale=2)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 6, 9, 3)).astype("float32")
    (y,) = p([x[0]])
    assert y.shape == (12, 18, 3)
    np.testing.assert_allclose(y, np.asarray(net(x))[0], atol=1e-5)
    assert not isinstance(p._forward.graphs[3], tf.types.experimental.ConcreteFunction)
