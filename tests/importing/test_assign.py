"""Layouts and strictness of :func:`cgtk.importing.load_into`."""
from __future__ import annotations

import numpy as np
import pytest

from cgtk.errors import CgtkError
from cgtk.importing import Slot, load_into, pixel_shuffle_permutation, zip_slots


def _torch_pixel_shuffle(x: np.ndarray, r: int) -> np.ndarray:
    """``torch.nn.PixelShuffle`` in numpy (NCHW): out[c, h*r+i, w*r+j] = x[c*r*r+i*r+j, h, w]."""
    n, crr, h, w = x.shape
    c = crr // (r * r)
    return x.reshape(n, c, r, r, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, c, h * r, w * r)


@pytest.mark.parametrize("r", [2, 3])
def test_permutation_makes_depth_to_space_equal_pixel_shuffle(r):
    from cgtk_srresnet.networks import PixelShuffle

    x = np.random.RandomState(r).randn(2, 3 * r * r, 4, 5).astype("float32")  # torch order
    want = _torch_pixel_shuffle(x, r)
    perm = pixel_shuffle_permutation(3, r)
    got = np.asarray(PixelShuffle(r)(x.transpose(0, 2, 3, 1)[..., perm])).transpose(0, 3, 1, 2)
    np.testing.assert_array_equal(got, want)
    # without the permutation the channels come out scrambled
    wrong = np.asarray(PixelShuffle(r)(x.transpose(0, 2, 3, 1))).transpose(0, 3, 1, 2)
    assert np.abs(wrong - want).max() > 0.1


def test_numpy_pixel_shuffle_is_torchs():
    torch = pytest.importorskip("torch", reason="checking the numpy PixelShuffle against "
                                "torch needs torch (test-only: pip install torch==2.13.0)")
    x = np.random.RandomState(0).randn(1, 18, 3, 4).astype("float32")
    np.testing.assert_array_equal(_torch_pixel_shuffle(x, 3),
                                  torch.nn.functional.pixel_shuffle(torch.from_numpy(x), 3))


@pytest.fixture(scope="module")
def conv_shuffle():
    """A Keras conv (8 -> 3*2*2) feeding a PixelShuffle(2), with a PReLU and a BN."""
    import keras
    from cgtk_srresnet.networks import PixelShuffle

    inp = keras.Input((None, None, 4))
    x = keras.layers.Conv2D(12, 3, padding="same")(inp)
    x = keras.layers.BatchNormalization(epsilon=1e-5)(x)
    x = PixelShuffle(2)(x)
    x = keras.layers.PReLU(shared_axes=[1, 2])(x)
    return keras.Model(inp, x)


def _conv_shuffle_tensors(seed=0):
    rs = np.random.RandomState(seed)
    return {"up.weight": rs.randn(12, 4, 3, 3).astype("float32"),
            "up.bias": rs.randn(12).astype("float32"),
            "bn.weight": rs.rand(12).astype("float32") + 0.5,
            "bn.bias": rs.randn(12).astype("float32"),
            "bn.running_mean": rs.randn(12).astype("float32"),
            "bn.running_var": rs.rand(12).astype("float32") + 0.5,
            "bn.num_batches_tracked": np.array(3),
            "act.weight": rs.rand(3).astype("float32")}


def test_conv_bn_pixelshuffle_prelu_match_torch(conv_shuffle):
    torch = pytest.importorskip("torch", reason="the reference conv/BN/PixelShuffle/PReLU "
                                "run in torch (test-only: pip install torch==2.13.0)")
    tensors = _conv_shuffle_tensors()
    slots = [Slot("up", conv_shuffle.layers[1], shuffle=2), Slot("bn", conv_shuffle.layers[2]),
             Slot("act", conv_shuffle.layers[4])]
    # BN sits between conv and shuffle here, so it is permuted like the conv: say so
    perm = pixel_shuffle_permutation(3, 2)
    keras_side = dict(tensors)
    for k in ("bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"):
        keras_side[k] = tensors[k][perm]
    mapping = load_into(conv_shuffle, keras_side, slots)
    assert mapping["up.weight"].endswith("kernel") and "bn.num_batches_tracked" not in mapping
    conv = torch.nn.Conv2d(4, 12, 3, padding=1)
    bn = torch.nn.BatchNorm2d(12).eval()
    act = torch.nn.PReLU(3)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(tensors["up.weight"]))
        conv.bias.copy_(torch.from_numpy(tensors["up.bias"]))
        for name in ("weight", "bias", "running_mean", "running_var"):
            getattr(bn, name).copy_(torch.from_numpy(tensors[f"bn.{name}"]))
        act.weight.copy_(torch.from_numpy(tensors["act.weight"]))
        x = np.random.RandomState(1).randn(1, 4, 5, 7).astype("float32")
        want = act(torch.nn.functional.pixel_shuffle(bn(conv(torch.from_numpy(x))), 2)).numpy()
    got = np.asarray(conv_shuffle(x.transpose(0, 2, 3, 1), training=False)).transpose(0, 3, 1, 2)
    assert np.abs(got - want).max() < 1e-4


def test_strict_errors_name_the_first_key_and_shape(conv_shuffle):
    slots = [Slot("up", conv_shuffle.layers[1], shuffle=2), Slot("bn", conv_shuffle.layers[2]),
             Slot("act", conv_shuffle.layers[4])]
    before = [np.array(w) for w in conv_shuffle.get_weights()]

    missing = _conv_shuffle_tensors()
    del missing["bn.running_var"]
    with pytest.raises(CgtkError, match=r"f.pth: missing key bn.running_var \(the network "
                       r"needs shape \(12\)"):
        load_into(conv_shuffle, missing, slots, where="f.pth")

    extra = {**_conv_shuffle_tensors(), "head.weight": np.zeros((5, 2), "float32")}
    with pytest.raises(CgtkError, match=r"tensor head.weight \(5, 2\) is not used"):
        load_into(conv_shuffle, extra, slots)

    wide = {**_conv_shuffle_tensors(), "up.weight": np.zeros((12, 8, 3, 3), "float32")}
    with pytest.raises(CgtkError, match=r"up.weight has shape \(12, 8, 3, 3\), which does "
                       r"not fit .*kernel \(3, 3, 4, 12\)"):
        load_into(conv_shuffle, wide, slots)

    with pytest.raises(CgtkError, match=r"the network's weight .*alpha \(1, 1, 3\) has no "
                       "tensor"):
        load_into(conv_shuffle, {k: v for k, v in _conv_shuffle_tensors().items()
                                 if not k.startswith("act")}, slots[:2])
    for old, new in zip(before, conv_shuffle.get_weights()):  # nothing half-assigned
        np.testing.assert_array_equal(old, new)


def test_zip_slots_counts_layers(conv_shuffle):
    with pytest.raises(CgtkError, match="the file describes 2 weighted layers, the network "
                       "has 3"):
        zip_slots(conv_shuffle, ["up", "bn"])
