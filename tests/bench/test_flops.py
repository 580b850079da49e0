"""Analytic FLOP counting (cgtk/bench/flops.py) against hand-computed values."""
import keras
import numpy as np
import pytest

from cgtk import nn
from cgtk.bench import flops
from cgtk.bench.flops import NetworkCall, StepTrace, network_flops, step_flops


def _model(layer, shape):
    inp = keras.Input((None,) * (len(shape) - 1) + (shape[-1],))
    return keras.Model(inp, layer(inp))


def test_single_conv():
    f = network_flops(_model(keras.layers.Conv2D(8, 3, padding="same"), (16, 16, 3)),
                      (16, 16, 3))
    assert f["macs"] == 16 * 16 * 8 * (3 * 3 * 3)
    assert f["flops"] == 2 * f["macs"]
    assert f["elementwise_flops"] == 16 * 16 * 8  # the bias


def test_strided_valid_conv_and_groups():
    f = network_flops(_model(keras.layers.Conv2D(6, 4, strides=2, use_bias=False), (10, 10, 4)),
                      (10, 10, 4))
    assert f["macs"] == 4 * 4 * 6 * (4 * 4 * 4)  # output 4x4
    g = network_flops(_model(keras.layers.Conv2D(6, 3, padding="same", groups=2), (8, 8, 4)),
                      (8, 8, 4))
    assert g["macs"] == 8 * 8 * 6 * (3 * 3 * 2)


@pytest.mark.parametrize("convention, factor", [("input", 1), ("output", 4)])
def test_transposed_conv(convention, factor):
    layer = keras.layers.Conv2DTranspose(2, 3, strides=2, padding="same", use_bias=False)
    f = network_flops(_model(layer, (5, 5, 4)), (5, 5, 4), transpose=convention)
    # every input pixel meets the whole 3x3x4x2 kernel; "output" counts the 10x10 grid
    assert f["macs"] == 5 * 5 * 3 * 3 * 4 * 2 * factor


def test_dense_and_nested_model_counted_once():
    inner = _model(keras.layers.Dense(10), (7,))
    inp = keras.Input((7,))
    outer = keras.Model(inp, keras.layers.Dense(3)(inner(inp)))
    f = network_flops(outer, (7,))
    assert f["macs"] == 7 * 10 + 10 * 3
    assert f["elementwise_flops"] == 10 + 3


def test_depthwise_conv():
    f = network_flops(_model(keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False),
                             (6, 6, 5)), (6, 6, 5))
    assert f["macs"] == 6 * 6 * 5 * 9


def test_norm_and_activation_are_elementwise_only():
    inp = keras.Input((None, None, 4))
    y = keras.layers.ReLU()(keras.layers.GroupNormalization(groups=-1, center=False,
                                                            scale=False)(inp))
    f = network_flops(keras.Model(inp, y), (8, 8, 4))
    assert f["macs"] == 0
    assert f["elementwise_flops"] == 8 * 8 * 4 * (flops.NORM_FLOPS_PER_ELEMENT + 1)


# ResNet-9 generator (ngf 64) at 256 px, by hand (reflection/zero padding as the reference):
RESNET9_MACS = (256 * 256 * 7 * 7 * 3 * 64          # c7s1-64
                + 128 * 128 * 3 * 3 * 64 * 128      # d128
                + 64 * 64 * 3 * 3 * 128 * 256       # d256
                + 18 * 64 * 64 * 3 * 3 * 256 * 256  # 9 residual blocks, 2 convs each
                + 64 * 64 * 3 * 3 * 256 * 128       # u128 (transposed: input pixels)
                + 128 * 128 * 3 * 3 * 128 * 64      # u64
                + 256 * 256 * 7 * 7 * 64 * 3)       # c7s1-3
# PatchGAN (ndf 64, n_layers 3) at 256 px: 128^2, 64^2, 32^2, 31^2, 30^2 outputs
PATCHGAN_MACS = (128**2 * 16 * 3 * 64 + 64**2 * 16 * 64 * 128 + 32**2 * 16 * 128 * 256
                 + 31**2 * 16 * 256 * 512 + 30**2 * 16 * 512 * 1)


@pytest.fixture(scope="module")
def resnet9():
    return nn.resnet_generator(ngf=64, n_blocks=9)


def test_resnet9_generator_at_256(resnet9):
    f = network_flops(resnet9, (256, 256, 3))
    assert f["macs"] == RESNET9_MACS == 49_551_507_456  # 99.1 GFLOPs (2 x MACs)
    assert f["uncounted"] == []
    # The published figure (GAN Compression, Li et al. 2020: 56.8G MACs) counts the
    # transposed convs over their (zero-inserted) output grid:
    out = network_flops(resnet9, (256, 256, 3), transpose="output")
    assert out["macs"] == 56_799_264_768
    assert abs(out["macs"] / 56.8e9 - 1) < 0.002


def test_patchgan_at_256():
    f = network_flops(nn.patch_discriminator(3, ndf=64), (256, 256, 3))
    assert f["macs"] == PATCHGAN_MACS == 3_146_809_344


# ------------------------------------------------------------- train step ---

@pytest.fixture(scope="module")
def tiny_cyclegan():
    from cgtk_cyclegan.model import CycleGAN

    model = CycleGAN(CycleGAN.Config(ngf=4, ndf=4, n_blocks=1, image_size=32, pool_size=2))
    model.compile_phases(10)
    return model


def test_cyclegan_step_calls(tiny_cyclegan):
    rng = np.random.default_rng(0)
    batch = tuple(rng.uniform(-1, 1, (1, 32, 32, 3)).astype("float32") for _ in range(2))
    trace = flops.trace_step_calls(tiny_cyclegan, batch)
    assert trace.how == "abstract"  # traced for shapes, as the jitted step is: no compute
    assert trace.counts() == {"generators": {"G": 3, "F": 3, "D_A": 1, "D_B": 1},
                              "discriminators": {"D_A": 2, "D_B": 2}}
    s = step_flops(tiny_cyclegan, trace)
    g = network_flops(tiny_cyclegan.G, (32, 32, 3))["flops"]
    d = network_flops(tiny_cyclegan.D_A, (32, 32, 3))["flops"]
    # generator phase: G, F trained (3x forward), D_A, D_B differentiated through (2x);
    # discriminator phase: D_A, D_B trained on real and fake (2 calls each, 3x)
    assert s["train_flops"] == pytest.approx(6 * 3 * g + 2 * 2 * d + 4 * 3 * d)
    assert s["forward_flops"] == pytest.approx(6 * g + 6 * d)


def test_a_loss_that_needs_values_is_traced_eagerly():
    """A loss that reads a tensor's value (``float(...)``) cannot be traced for shapes
    only: the trace runs it eagerly instead and sees the same calls."""
    import keras

    inp = keras.Input((8, 8, 3))
    net = keras.Model(inp, keras.layers.Conv2D(4, 3, padding="same")(inp))

    class Phase:
        name, networks = "only", [net]

        @staticmethod
        def loss(batch, carry):
            out = net(batch[0])
            return out * float(keras.ops.convert_to_numpy(keras.ops.mean(out)))

    class Model:
        training_phases = [Phase]

        def networks(self):
            return {"net": net}

    batch = (np.zeros((1, 8, 8, 3), "float32"),)
    trace = flops.trace_step_calls(Model(), batch)
    assert trace.how == "eager"
    assert trace.counts() == {"only": {"net": 1}}
    assert trace.calls[0].input_shapes == [(8, 8, 3)] and trace.calls[0].trained


class _Networks:
    """Stands in for a model in step_flops: only ``networks()`` is used."""

    def __init__(self, nets):
        self.nets = nets

    def networks(self):
        return self.nets


def test_cyclegan_step_at_256_is_about_1_9_tflop(resnet9):
    d = nn.patch_discriminator(3, ndf=64)
    model = _Networks({"G": resnet9, "F": resnet9, "D_A": d, "D_B": d})
    calls = [NetworkCall(n, "generators", n in ("G", "F"), [(256, 256, 3)], 1.0)
             for n in ("G", "G", "G", "F", "F", "F", "D_A", "D_B")]
    calls += [NetworkCall(n, "discriminators", True, [(256, 256, 3)], 1.0)
              for n in ("D_A", "D_A", "D_B", "D_B")]
    s = step_flops(model, StepTrace(calls))
    # 6 generator calls x 3 + 2 discriminator calls x 2 + 4 discriminator calls x 3
    expected = 2 * (18 * RESNET9_MACS + 4 * PATCHGAN_MACS + 12 * PATCHGAN_MACS)
    assert s["train_flops"] == pytest.approx(expected)
    assert 1.8e12 < s["train_flops"] < 2.0e12  # ~1.9 TFLOP per image (1.89e12)
