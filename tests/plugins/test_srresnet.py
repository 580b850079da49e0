"""The srresnet plugin: networks, losses, CLI train/resume/sample/export (TF and JAX),
and a learning test: x4 Y-PSNR on Set5 above bicubic after a short training."""
import json

import keras
import numpy as np
import pytest
from cgtk_srresnet.networks import PixelShuffle, srgan_discriminator, srresnet_generator
from cgtk_srresnet.srresnet import SRResNet
from helpers import cli_in_process, succeeded

TINY = ["--set", "n_blocks=2", "--set", "n_feats=8", "--image-size", "32", "--batch-size", "2"]


# ------------------------------------------------------------------ networks ---

def test_pixel_shuffle_is_depth_to_space_and_serialises():
    import tensorflow as tf

    x = np.random.default_rng(0).normal(size=(2, 3, 5, 18)).astype("float32")
    for r in (2, 3):
        ours = np.asarray(PixelShuffle(r)(x[..., : 2 * r * r]))
        ref = tf.nn.depth_to_space(x[..., : 2 * r * r], r).numpy()
        np.testing.assert_array_equal(ours, ref)
    layer = PixelShuffle.from_config(PixelShuffle(3).get_config())
    assert layer.scale == 3


def paper_params(n_blocks=16, f=64, scale=4):
    """Trainable parameters of Ledig et al.'s SRResNet, counted by hand."""
    head = 9 * 9 * 3 * f + f + f                       # conv + bias + PReLU
    block = 2 * (3 * 3 * f * f) + 2 * (2 * f) + f      # 2 convs (no bias), 2 BN, PReLU
    body = 3 * 3 * f * f + 2 * f                       # conv + BN
    stages = [2, 2] if scale == 4 else [scale]
    up = sum(3 * 3 * f * f * r * r + f * r * r + f for r in stages)
    tail = 9 * 9 * f * 3 + 3
    return head + n_blocks * block + body + up + tail


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_generator_shapes_and_paper_size(scale):
    g = srresnet_generator(scale=scale)
    trainable = sum(int(np.prod(v.shape)) for v in g.trainable_variables)
    assert trainable == paper_params(scale=scale)
    ups = [la for la in g.layers if isinstance(la, PixelShuffle)]
    assert [la.scale for la in ups] == ([2, 2] if scale == 4 else [scale])
    assert g.get_layer("head_conv").kernel_size == (9, 9)
    assert g.get_layer("tail_conv").kernel_size == (9, 9)
    assert g.get_layer("head_prelu").alpha.shape == (1, 1, 64)  # shared over H, W


def test_generator_without_norm_has_no_batchnorm_and_any_size():
    g = srresnet_generator(scale=4, n_blocks=2, n_feats=8, norm="none", output="tanh")
    assert not [la for la in g.layers if isinstance(la, keras.layers.BatchNormalization)]
    y = np.asarray(g(np.zeros((1, 7, 5, 3), "float32")))
    assert y.shape == (1, 28, 20, 3) and np.all(np.abs(y) <= 1)


def test_discriminator_is_the_srgan_one():
    d = srgan_discriminator()
    convs = [la for la in d.layers if isinstance(la, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [64, 64, 128, 128, 256, 256, 512, 512]
    assert [c.strides[0] for c in convs] == [1, 2] * 4
    assert len([la for la in d.layers if isinstance(la, keras.layers.BatchNormalization)]) == 7
    dense = [la for la in d.layers if isinstance(la, keras.layers.Dense)]
    assert [la.units for la in dense] == [1024, 1]
    assert tuple(d(np.zeros((2, 40, 48, 3), "float32")).shape) == (2, 1)   # gap: any size
    flat = srgan_discriminator(ndf=8, head="flatten", image_size=96)
    assert flat.get_layer("dense1024").kernel.shape == (6 * 6 * 64, 128)


# -------------------------------------------------------------------- losses ---

def test_perceptual_loss_uses_vgg54_rescaled():
    m = SRResNet(SRResNet.Config(n_blocks=1, n_feats=8, loss="perceptual",
                                 vgg_weights="none"))
    assert m.vgg is None                      # built when training starts, not before
    with pytest.warns(UserWarning, match="RANDOM"):
        phases = m.phases()
    assert m.vgg.network == "vgg19" and m.vgg.keras_layers == ["block5_conv4"]
    assert m.vgg.rescale == pytest.approx(1 / 12.75)
    rng = np.random.default_rng(0)
    lr = rng.uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    hr = rng.uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    loss, terms = m.generator_loss((lr, hr), {})
    assert set(terms) == {"G_vgg"} and np.isfinite(float(loss)) and float(loss) > 0
    assert [v.name for v in phases[0].collect_variables()] == \
        [v.name for v in m.G.trainable_variables]          # VGG stays frozen


def test_mse_loss_is_pixel_mse():
    m = SRResNet(SRResNet.Config(n_blocks=1, n_feats=8, scale=2))
    lr = np.zeros((1, 8, 8, 3), "float32")
    hr = np.full((1, 16, 16, 3), 0.5, "float32")
    sr = np.asarray(m.G(lr))
    loss, terms = m.generator_loss((lr, hr), {})
    assert float(loss) == pytest.approx(float(np.mean((sr - hr) ** 2)), rel=1e-4)


# ----------------------------------------------------------------------- CLI ---

@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("srresnet") / "run"
    succeeded(cli_in_process("train", "srresnet", "--data", "demo", "--epochs", "1",
                             "--steps-per-epoch", "2", "--seed", "3", *TINY, "--run-dir", run))
    return run


def test_cli_train_sample_export_resume(cli_run):
    record = json.loads((cli_run / "config.json").read_text())
    assert record["inference"]["generator"]["scale"] == 4
    assert (cli_run / "samples" / "epoch-001.png").is_file()
    g = keras.saving.load_model(cli_run / "generator.keras", safe_mode=True)
    assert tuple(g(np.zeros((1, 9, 11, 3), "float32")).shape) == (1, 36, 44, 3)
    succeeded(cli_in_process("train", "--resume", cli_run, "--epochs", "2"))
    steps = [json.loads((p / "meta.json").read_text())["global_step"]
             for p in (cli_run / "checkpoints").iterdir()]
    assert max(steps) == 4
    assert (cli_run / "samples" / "epoch-002.png").is_file()


def test_cli_jax_smoke(tmp_path):
    run = tmp_path / "jax"
    succeeded(cli_in_process("train", "srresnet", "--data", "demo", "--backend", "jax",
                             "--epochs", "1", "--steps-per-epoch", "2", *TINY, "--set",
                             "scale=2", "--run-dir", run, backend="jax"))
    rows = (run / "metrics.csv").read_text().splitlines()
    assert np.isfinite(float(rows[-1].split(",")[rows[0].split(",").index("G_mse")]))
    g = keras.saving.load_model(run / "generator.keras", safe_mode=True)
    assert tuple(g(np.zeros((1, 5, 6, 3), "float32")).shape) == (1, 10, 12, 3)


# ------------------------------------------------------------------ learning ---

#: The learning recipe: MSRResNet-style (no norm, bilinear upsample skip), 4 blocks x 32
#: channels, HR crops 48, batch 16, Adam 2e-3, LEARN_STEPS fresh batches.
LEARN_STEPS = 150
#: Required x4 Y-PSNR gain over bicubic on Set5. Measured (docs/srresnet.md): about +1 dB
#: after 250-400 steps. The untrained network is bilinear (-0.87 dB), and the paper
#: generator without the skip is still about -2 dB after 400 steps. Per oneDNN kernels
#: (issue 21; Intel Xeon, lscpu avx2 avx512f avx512_bf16 amx_bf16), 250 steps: 29.77 dB
#: with the AVX-512 kernels, 29.75 dB with ONEDNN_MAX_CPU_ISA=AVX2 (bicubic 28.43). AMD
#: EPYC (avx512f avx512_bf16), seed 1: 29.77 dB after 250 steps; after 150 steps 29.47 dB
#: with the AVX-512 kernels and 29.47 dB with the AVX2 ones (+1.04 dB), 29.40 after 100.
MARGIN_DB = 0.3


@pytest.mark.slow
def test_learns_to_beat_bicubic_on_set5(shared_data, tmp_path):
    from cgtk.metrics import (
        Protocol,
        bicubic_baseline,
        bicubic_downscale,
        evaluate_sr,
        load_images,
        modcrop,
    )

    run = tmp_path / "learn"
    succeeded(cli_in_process(
        "train", "srresnet", "--data", shared_data / "photos" / "sun_hays80",
        "--epochs", "1", "--image-size", "48", "--batch-size", "16", "--seed", "1",
        "--set", "n_blocks=4", "--set", "n_feats=32", "--set", "norm=none",
        "--set", "upsample_skip=bilinear", "--set", "lr=2e-3",
        "--set", f"epoch_length={16 * LEARN_STEPS}", "--set", "log_every=50",
        "--run-dir", run))
    g = keras.saving.load_model(run / "generator.keras", safe_mode=True)
    hrs = [modcrop(h, 4) for h in load_images(shared_data / "sr" / "Set5")]
    outs = []
    for hr in hrs:
        lr = bicubic_downscale(hr, 4).astype("float32") / 127.5 - 1.0
        outs.append(np.asarray(g(lr[None], training=False))[0])
    protocol = Protocol.sr(4)
    ours = evaluate_sr(outs, hrs, protocol)
    bicubic = bicubic_baseline(hrs, 4, protocol)
    print(f"SRResNet {ours}  bicubic {bicubic}")
    assert bicubic.psnr == pytest.approx(28.43, abs=0.1)   # Ledig et al. Table 2
    assert ours.psnr >= bicubic.psnr + MARGIN_DB, (ours.psnr, bicubic.psnr)
