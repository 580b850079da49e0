"""cgtk.nn.feature_model / reference_layer_outputs: the reference nn.Sequential indexing
of the ResNet generator for every layout (numerical parity against the PyTorch reference:
tests/plugins/test_cut.py::test_reference_generator_imports_and_every_nce_index_matches_torch)."""
import keras
import numpy as np
import pytest

from cgtk import nn


@pytest.mark.parametrize("norm,upsample,blocks,count", [
    ("instance", "transpose", 9, 28), ("none", "transpose", 2, 21),
    ("batch", "nearest", 1, 22)])   # nearest: upsampling + conv are two modules per level
def test_module_count(norm, upsample, blocks, count):
    g = nn.resnet_generator(ngf=4, n_blocks=blocks, norm=norm, upsample=upsample)
    outs = nn.reference_layer_outputs(g)
    assert len(outs) == count and outs[-1] is g.outputs[0]


def test_norm_none_keeps_the_identity_slot():
    g = nn.resnet_generator(ngf=4, n_blocks=1, norm="none")
    outs = nn.reference_layer_outputs(g)
    assert outs[1] is outs[2]               # conv, then the reference's Identity norm
    assert outs[4] is outs[5] and outs[7] is outs[8]


def test_encoder_only_model_keeps_only_the_layers_it_needs():
    g = nn.resnet_generator(ngf=4, n_blocks=3)
    enc = nn.feature_model(g, [4, 0], with_image=False)
    out = enc(np.zeros((1, 16, 16, 3), "float32"))
    assert [tuple(t.shape) for t in out] == [(1, 22, 22, 3), (1, 8, 8, 8)]   # sorted
    assert len(enc.trainable_variables) == 4 < len(g.trainable_variables)
    assert {id(v) for v in enc.trainable_variables} <= {id(v) for v in g.trainable_variables}


@pytest.mark.parametrize("layers,match", [([0, 22], "valid indices are 0-21"),
                                          ([-1], "valid indices are 0-21"),
                                          ([4, 4], "repeat")])
def test_bad_indices(layers, match):
    g = nn.resnet_generator(ngf=4, n_blocks=3)
    with pytest.raises(ValueError, match=match):
        nn.feature_model(g, layers)


def test_not_a_resnet_generator():
    x = keras.Input((None, None, 3))
    a, b = keras.layers.Conv2D(3, 1)(x), keras.layers.Conv2D(3, 1)(x)
    with pytest.raises(ValueError, match="not a cgtk ResNet generator"):
        nn.reference_layer_outputs(keras.Model(x, keras.layers.Add()([a, b])))
