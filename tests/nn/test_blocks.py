"""Conv helpers follow PyTorch's padding semantics exactly (checked against NumPy)."""
import keras
import numpy as np
import pytest

from cgtk.nn import Blocks


def torch_conv2d(x, w, b, stride, padding):
    """NumPy ``F.conv2d`` in NHWC with a Keras (kh, kw, in, out) kernel."""
    x = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    k = w.shape[0]
    oh, ow = (x.shape[1] - k) // stride + 1, (x.shape[2] - k) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + k, j * stride:j * stride + k, :]
            out[:, i, j, :] = np.einsum("nabc,abco->no", patch, w)
    return out + b


def torch_conv_transpose2d(x, w, b, stride, padding, output_padding):
    """NumPy ``F.conv_transpose2d`` in NHWC with a Keras (kh, kw, out, in) kernel."""
    n, h, wd, _ = x.shape
    k = w.shape[0]
    full = np.zeros((n, (h - 1) * stride + k, (wd - 1) * stride + k, w.shape[2]))
    for i in range(h):
        for j in range(wd):
            full[:, i * stride:i * stride + k, j * stride:j * stride + k, :] += np.einsum(
                "nc,aboc->nabo", x[:, i, j, :], w)
    oh = (h - 1) * stride + k - 2 * padding + output_padding
    ow = (wd - 1) * stride + k - 2 * padding + output_padding
    return full[:, padding:padding + oh, padding:padding + ow, :] + b


def _run(build, x):
    inputs = keras.Input((None, None, x.shape[-1]))
    model = keras.Model(inputs, build(Blocks(norm="none", init="normal", init_gain=0.5,
                                             seed=0), inputs))
    weights = [keras.ops.convert_to_numpy(w) for w in model.weights]
    return keras.ops.convert_to_numpy(model(x)), weights


@pytest.mark.parametrize("size", [(6, 8), (7, 5)])
@pytest.mark.parametrize("kernel, stride, padding", [(3, 2, 1), (4, 2, 1), (4, 1, 1)])
def test_conv_matches_pytorch(size, kernel, stride, padding):
    x = np.random.default_rng(0).normal(size=(2, *size, 3)).astype("float32")
    got, (w, b) = _run(lambda bl, t: bl.conv(t, 5, kernel, stride, padding), x)
    np.testing.assert_allclose(got, torch_conv2d(x, w, b, stride, padding), atol=1e-4)


@pytest.mark.parametrize("size", [(3, 4), (5, 5)])
@pytest.mark.parametrize("kernel, padding, output_padding", [(3, 1, 1), (4, 1, 0)])
def test_conv_transpose_matches_pytorch(size, kernel, padding, output_padding):
    x = np.random.default_rng(0).normal(size=(2, *size, 3)).astype("float32")
    got, (w, b) = _run(
        lambda bl, t: bl.conv_transpose(t, 5, kernel, 2, padding, output_padding), x)
    assert got.shape[1:3] == (2 * size[0], 2 * size[1])
    np.testing.assert_allclose(
        got, torch_conv_transpose2d(x, w, b, 2, padding, output_padding), atol=1e-4)


def test_reflect_conv_and_bias_rule():
    x = np.random.default_rng(0).normal(size=(1, 5, 6, 2)).astype("float32")
    got, (w, b) = _run(lambda bl, t: bl.conv(t, 3, 3, padding=1, pad="reflect"), x)
    ref = torch_conv2d(np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect"), w, b, 1, 0)
    np.testing.assert_allclose(got, ref, atol=1e-4)
    assert Blocks("batch").bias is False and Blocks("instance").bias is True


def test_bad_choices():
    with pytest.raises(ValueError, match="unknown norm"):
        Blocks(norm="group")
    with pytest.raises(ValueError, match="output_padding"):
        Blocks().conv_transpose(keras.Input((4, 4, 1)), 1, 3, 2, padding=0, output_padding=1)
