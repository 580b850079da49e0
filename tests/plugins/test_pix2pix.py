"""The pix2pix plugin: reference defaults and parameter counts, the U-Net's dropout, the
reference's losses, the discriminator phase on the fake from ``carry``, the facades
direction hint, CLI train / samples / export on TensorFlow and JAX, and a learning test
on the paired demo data (edges -> filled shapes) against two baselines."""
import json
import time

import keras
import numpy as np
import pytest
from cgtk_pix2pix.config import Pix2PixConfig
from cgtk_pix2pix.model import Pix2Pix
from helpers import cli_in_process, cli_in_process_ok, last_json
from PIL import Image

import cgtk
from cgtk import losses


def rand(shape, seed):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


def f(x):
    return float(keras.ops.convert_to_numpy(x))


def layer_types(net):
    return [type(la).__name__ for la in net.layers]


# ------------------------------------------------------------- defaults ---

def test_defaults_are_the_reference_s():
    c = Pix2PixConfig()
    assert (c.netG, c.generator_depth(), c.ngf, c.ndf, c.n_layers_D, c.norm) == (
        "unet_256", 8, 64, 64, 3, "batch")
    assert (c.use_dropout, c.dropout_at_inference, c.gan_mode, c.lambda_l1) == (
        True, True, "vanilla", 100.0)
    assert (c.lr, c.beta_1, c.direction) == (2e-4, 0.5, "AtoB")
    assert (c.epochs, c.lr_policy, c.n_epochs, c.n_epochs_decay) == (200, "linear_decay", 100,
                                                                     100)
    assert (c.batch_size, c.load_size, c.image_size, c.flip) == (1, 286, 256, True)
    assert Pix2PixConfig(netG="unet_128").generator_depth() == 7
    assert Pix2PixConfig(netG="resnet_6blocks").generator_depth() == 6


def test_reference_parameter_counts():
    result = cli_in_process("plugins", "show", "pix2pix", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    nets = {n["name"]: n for n in last_json(result.stdout)["networks"]}
    assert list(nets) == ["G", "D"]
    assert nets["G"]["params"] == 54_413_955 and nets["G"]["role"] == "inference: generator"
    assert nets["D"]["params"] == 2_768_705 and nets["D"]["input"] == "?x?x6"


# --------------------------------------------------------------- model ---

def test_unet_256_dropout_and_multiple():
    m = Pix2Pix(Pix2PixConfig(ngf=4, ndf=4))
    types = layer_types(m.G)
    assert types.count("AlwaysDropout") == 3 and "Dropout" not in types
    # test_bn=batch (the reference's test.py default): G normalises by each image's own
    # statistics at inference; D keeps plain batch norm
    assert "ImageStatsBatchNorm" in types and "BatchNormalization" not in types
    assert "BatchNormalization" in layer_types(m.D)
    moving = Pix2Pix(Pix2PixConfig(ngf=4, ndf=4, test_bn="moving"))
    assert "BatchNormalization" in layer_types(moving.G)
    assert m.inference_networks()["generator"].multiple == 256
    assert m.D.input_shape[-1] == 6
    x = rand((1, 256, 256, 3), 0)
    # dropout stays on at inference: the paper's noise, so outputs differ call to call
    assert np.abs(np.asarray(m.G(x)) - np.asarray(m.G(x))).max() > 0

    det = Pix2Pix(Pix2PixConfig(ngf=4, ndf=4, dropout_at_inference=False))
    assert layer_types(det.G).count("Dropout") == 3
    np.testing.assert_array_equal(det.G(x), det.G(x))


def test_other_generators_and_size_checks():
    res = Pix2Pix(Pix2PixConfig(netG="resnet_6blocks", ngf=4, ndf=4, image_size=64))
    assert res.inference_networks()["generator"].multiple == 4
    assert layer_types(res.G).count("Dropout") == 6       # use_dropout, as the reference
    assert Pix2Pix(Pix2PixConfig(netG="unet_128", ngf=4, ndf=4, image_size=128)
                   ).inference_networks()["generator"].multiple == 128
    with pytest.raises(cgtk.CgtkError, match="multiple of 256"):
        Pix2Pix(Pix2PixConfig(ngf=4, ndf=4, image_size=64))
    with pytest.raises(cgtk.CgtkError, match="num_downs"):
        Pix2Pix(Pix2PixConfig(ngf=4, ndf=4, num_downs=4, image_size=64))


@pytest.fixture(scope="module")
def model():
    return Pix2Pix(Pix2PixConfig(ngf=4, ndf=4, num_downs=5, image_size=32, use_dropout=False,
                                 seed=0))


def test_generator_loss_is_gan_plus_100_l1(model):
    a, b = rand((2, 32, 32, 3), 1), rand((2, 32, 32, 3), 2)
    carry = {}
    total, terms = model.generator_loss((a, b), carry)
    fake = np.asarray(carry["fake_B"])
    np.testing.assert_allclose(fake, model.G(a, training=True), atol=1e-5)
    logits = model.D(np.concatenate([a, fake], -1), training=True)
    assert f(terms["G_GAN"]) == pytest.approx(f(losses.bce_with_logits(logits, 1.0)), rel=1e-4)
    assert f(terms["G_L1"]) == pytest.approx(100 * np.mean(np.abs(fake - b)), rel=1e-4)
    assert f(total) == pytest.approx(f(terms["G_GAN"]) + f(terms["G_L1"]), rel=1e-5)


def test_discriminator_sees_pairs_and_the_fake_from_carry(model):
    a, b = rand((2, 32, 32, 3), 3), rand((2, 32, 32, 3), 4)
    carry = {"fake_B": rand((2, 32, 32, 3), 5)}   # no generator output: must be used as is
    loss, terms = model.discriminator_loss((a, b), carry)
    real = model.D(np.concatenate([a, b], -1), training=True)
    fake = model.D(np.concatenate([a, carry["fake_B"]], -1), training=True)
    expected = 0.5 * (f(losses.bce_with_logits(real, 1.0)) + f(losses.bce_with_logits(fake, 0.0)))
    assert f(loss) == pytest.approx(expected, rel=1e-4) and terms == {"D": loss}


@pytest.mark.parametrize("mode", ["lsgan", "hinge", "wgangp"])
def test_other_gan_modes(model, mode):
    m = Pix2Pix(Pix2PixConfig(ngf=4, ndf=4, num_downs=5, image_size=32, gan_mode=mode))
    a, b = rand((2, 32, 32, 3), 1), rand((2, 32, 32, 3), 2)
    carry = {}
    _, g_terms = m.generator_loss((a, b), carry)
    d_loss, _ = m.discriminator_loss((a, b), carry)
    assert all(np.isfinite(f(v)) for v in [*g_terms.values(), d_loss])


def test_check_plugin_one_engine_step_and_save_load():
    from cgtk.testing import check_plugin

    result = check_plugin(Pix2Pix)[keras.backend.backend()]
    assert {"G_GAN", "G_L1", "D", "loss_generator", "loss_discriminator"} <= set(result["terms"])
    assert list(result["outputs"]) == ["generator"]


# ------------------------------------------------------------------ CLI ---

def test_jax_smoke(tmp_path):
    run = tmp_path / "jax"
    cli_in_process_ok("train", "pix2pix", "--data", "demo", "--epochs", "1",
                      "--steps-per-epoch", "2", "--set", "ngf=4", "--set", "ndf=4", "--set",
                      "num_downs=5", "--image-size", "32", "--batch-size", "2", "--set",
                      "load_size=36", "--set", "num_samples=2", "--backend", "jax",
                      "--run-dir", run, backend="jax")
    record = json.loads((run / "config.json").read_text())
    assert record["backend"] == "jax" and record["inference"]["generator"]["multiple"] == 32
    assert (run / "samples" / "epoch-001.png").is_file()
    import cgtk.nn  # noqa: F401  registers AlwaysDropout

    g = keras.saving.load_model(run / "generator.keras", safe_mode=True)
    assert tuple(g(np.zeros((1, 64, 96, 3), "float32")).shape) == (1, 64, 96, 3)


def test_facades_by_hand_gets_its_reference_direction(tmp_path, shared_data):
    """Real photos as a hand-placed 'facades' folder (A|B side by side): the dataset's
    hint turns direction to BtoA unless the user sets it."""
    photos = sorted((shared_data / "photos" / "sun_hays80").glob("*.jpg"))
    root = tmp_path / "home" / "datasets" / "facades"
    for split, chosen in (("train", photos[:4]), ("test", photos[4:6])):
        (root / split).mkdir(parents=True)
        for p in chosen:
            photo = Image.open(p).convert("RGB").resize((128, 128))
            pair = Image.new("RGB", (256, 128))
            pair.paste(photo, (0, 0))
            pair.paste(photo.convert("L").convert("RGB"), (128, 0))
            pair.save(root / split / p.name)
    run = tmp_path / "run"
    result = cli_in_process_ok("train", "pix2pix", "--epochs", "1", "--steps-per-epoch", "1",
                               "--set", "ngf=4", "--set", "ndf=4", "--set", "num_downs=6",
                               "--image-size", "64", "--set", "num_samples=2", "--run-dir", run,
                               CGTK_HOME=tmp_path / "home")
    record = json.loads((run / "config.json").read_text())
    assert record["data"]["name"] == "facades" and record["config"]["direction"] == "BtoA"
    assert "direction=BtoA" in result.stderr
    assert record["inference"]["generator"]["description"] == "B -> A (BtoA)"


@pytest.mark.slow
def test_learns_edges_to_shapes_on_tensorflow(tmp_path):
    """400 steps at 64 px (U-Net num_downs 6, ngf 16, batch 4) on the paired demo data via
    the CLI, then the exported generator (safe_mode, dropout on as at inference) on the 16
    held-out pairs. Mean L1 must be below 0.75 x the better baseline: (a) the input
    itself, (b) the per-pixel mean of the held-out targets (a generous baseline: it has
    seen the test targets). Baselines: 0.378 (input), 0.235 (mean target).

    oneDNN picks other kernels per CPU, so a seeded run repeats on one machine only.
    At 300 steps the curve is still steep and the CPUs disagreed: ratio 0.61 (an earlier
    AVX-512 measurement), 0.77 (AVX-512, below), 0.64 (AVX2), 0.81 (AMD EPYC, AVX2 only:
    0.191 against the old bound 0.176, issue 21). At 400 it has flattened (seed 0, 2 CPU
    cores, Intel Xeon with avx2 avx512f avx512_vnni avx512_bf16 avx512_fp16 amx_bf16):
    - AVX-512/AMX kernels (the default there): L1 0.130, ratio 0.556; 500 steps 0.567
    - AVX2 kernels (``ONEDNN_MAX_CPU_ISA=AVX2``, as on an AVX2-only CPU): L1 0.138,
      ratio 0.586; 500 steps 0.550
    so the 0.75 bound keeps a margin of about 0.16 (over 20 %) on both."""
    from cgtk.config import TrainConfig
    from cgtk.data import resolve_source, sample_inputs

    run = tmp_path / "learn"
    start = time.time()
    cli_in_process_ok("train", "pix2pix", "--data", "demo", "--epochs", "1",
                      "--steps-per-epoch", "400", "--batch-size", "4", "--image-size", "64",
                      "--set", "load_size=72", "--set", "ngf=16", "--set", "ndf=16", "--set",
                      "num_downs=6", "--seed", "0", "--backend", "tensorflow", "--run-dir", run)
    print(f"train: {time.time() - start:.0f} s")
    import cgtk.nn  # noqa: F401  registers AlwaysDropout

    a, b = sample_inputs(resolve_source("demo", "paired"), TrainConfig(image_size=64), 16)
    g = keras.saving.load_model(run / "generator.keras", safe_mode=True)
    l1 = float(np.mean(np.abs(np.asarray(g(a)) - b)))
    input_baseline = float(np.mean(np.abs(a - b)))
    mean_baseline = float(np.mean(np.abs(b.mean(axis=0, keepdims=True) - b)))
    print(f"held-out L1 {l1:.3f}; input {input_baseline:.3f}; mean target {mean_baseline:.3f}")
    assert l1 < 0.75 * min(input_baseline, mean_baseline)
