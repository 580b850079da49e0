import keras
import numpy as np
import pytest

from cgtk.nn import network_summary, patch_discriminator, pixel_discriminator


def test_reference_parameter_counts():
    assert patch_discriminator(3, ndf=64, n_layers=3, norm="instance").count_params() == 2_764_737
    # batch norm: compare trainable params (gamma + beta), like PyTorch's parameters()
    summary = network_summary(patch_discriminator(6, ndf=64, n_layers=3, norm="batch"))
    assert summary["trainable_params"] == 2_768_705
    assert summary["params"] == 2_768_705 + 2 * (128 + 256 + 512)


@pytest.mark.parametrize("n_layers, size, out", [(3, 256, 30), (3, 70, 6), (1, 64, 30), (2, 48, 10)])
def test_output_size(n_layers, size, out):
    d = patch_discriminator(ndf=4, n_layers=n_layers)
    assert tuple(d(np.zeros((1, size, size + 8, 3), "float32")).shape)[1:3] == \
        (out, out + 8 // 2 ** n_layers)


def test_structure_and_logits():
    d = patch_discriminator(ndf=4, n_layers=3, norm="batch")
    convs = [lay for lay in d.layers if isinstance(lay, keras.layers.Conv2D)]
    assert [c.strides for c in convs] == [(2, 2)] * 3 + [(1, 1)] * 2
    assert [c.filters for c in convs] == [4, 8, 16, 32, 1]
    assert [c.use_bias for c in convs] == [True, False, False, False, True]
    assert [c.kernel_size for c in convs] == [(4, 4)] * 5
    assert sum(isinstance(lay, keras.layers.BatchNormalization) for lay in d.layers) == 3
    assert convs[-1].activation.__name__ == "linear"


def test_pixel_discriminator():
    d = pixel_discriminator(3, ndf=64, norm="instance")
    assert d.count_params() == 8_705
    assert network_summary(pixel_discriminator(6, ndf=64, norm="batch"))["trainable_params"] == \
        6 * 64 + 64 + 64 * 128 + 2 * 128 + 128
    assert tuple(d(np.zeros((2, 5, 7, 3), "float32")).shape) == (2, 5, 7, 1)


def test_save_load(roundtrip):
    roundtrip(patch_discriminator(6, ndf=4, norm="batch"), (2, 48, 40, 6))
    roundtrip(pixel_discriminator(3, ndf=4, norm="instance"), (1, 9, 11, 3))
