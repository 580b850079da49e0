"""The srgan plugin: init from an SRResNet run (and refusals), losses, a CLI smoke run
that trains, resumes, samples and exports (random VGG weights: --set vgg_weights=none)."""
import json

import keras
import numpy as np
import pytest
from cgtk_srresnet.srgan import SRGAN
from helpers import cli_in_process, succeeded

from cgtk.errors import CgtkError

ARCH = ["--set", "n_blocks=2", "--set", "n_feats=8"]
SMALL = ["--image-size", "32", "--batch-size", "2", "--seed", "5"]


@pytest.fixture(scope="module")
def init_run(tmp_path_factory):
    """A tiny finished SRResNet run (3 steps)."""
    run = tmp_path_factory.mktemp("srgan") / "init"
    succeeded(cli_in_process("train", "srresnet", "--data", "demo", "--epochs", "1",
                             "--steps-per-epoch", "3", *ARCH, *SMALL, "--run-dir", run))
    return run


@pytest.fixture(scope="module")
def gan_run(init_run):
    run = init_run.parent / "gan"
    succeeded(cli_in_process("train", "srgan", "--data", "demo", "--epochs", "1",
                             "--steps-per-epoch", "3", *ARCH, *SMALL, "--set", "ndf=8", "--set",
                             "vgg_weights=none", "--set", f"init_from={init_run}", "--set",
                             "log_every=1", "--run-dir", run))
    return run


def _config(**kw):
    return SRGAN.Config(n_blocks=2, n_feats=8, ndf=8, vgg_weights="none", **kw)


def test_init_from_copies_the_srresnet_generator(init_run):
    m = SRGAN(_config(init_from=str(init_run)))
    ref = keras.saving.load_model(init_run / "generator.keras", safe_mode=True)
    for a, b in zip(m.G.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("change, message", [
    ({"n_feats": 16}, "n_feats=8 there, 16 here"),
    ({"scale": 2}, "scale=4 there, 2 here"),
])
def test_init_from_refuses_another_architecture(init_run, change, message):
    config = SRGAN.Config(**{"n_blocks": 2, "n_feats": 8, "ndf": 8, "vgg_weights": "none",
                             "init_from": str(init_run), **change})
    with pytest.raises(CgtkError, match=message):
        SRGAN(config)


def test_init_from_refuses_non_runs_and_other_plugins(tmp_path, gan_run):
    with pytest.raises(CgtkError, match="not a cgtk run"):
        SRGAN(_config(init_from=str(tmp_path)))
    with pytest.raises(CgtkError, match="'srgan' run, not an srresnet"):
        SRGAN(_config(init_from=str(gan_run)))


def test_cli_refusal_is_one_line(tmp_path):
    result = cli_in_process("train", "srgan", "--data", "demo", "--epochs", "1",
                            "--steps-per-epoch", "1", *ARCH, *SMALL, "--set", "vgg_weights=none",
                            "--set", f"init_from={tmp_path}", "--run-dir", tmp_path / "x")
    assert result.returncode == 1
    assert "init_from=" in result.stderr and "Traceback" not in result.stderr


def test_random_start_warns_and_init_from_does_not(init_run):
    import warnings
    with pytest.warns(UserWarning, match="init_from is not set.*trained SRResNet"):
        SRGAN(_config())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SRGAN(_config(init_from=str(init_run)))
    assert not [w for w in caught if "init_from is not set" in str(w.message)]


@pytest.mark.filterwarnings("ignore:srgan. init_from is not set")
def test_losses_and_phases():
    m = SRGAN(_config())
    with pytest.warns(UserWarning, match="RANDOM"):
        m.phases()
    rng = np.random.default_rng(0)
    batch = (rng.uniform(-1, 1, (2, 8, 8, 3)).astype("float32"),
             rng.uniform(-1, 1, (2, 32, 32, 3)).astype("float32"))
    carry = {}
    g_loss, g_terms = m.generator_loss(batch, carry)
    assert set(g_terms) == {"G_vgg", "G_adv"} and "sr" in carry
    expected = float(g_terms["G_vgg"]) + 1e-3 * float(g_terms["G_adv"])
    assert float(g_loss) == pytest.approx(expected, rel=1e-5)
    d_loss, d_terms = m.discriminator_loss(batch, carry)
    assert float(d_loss) == pytest.approx(float(d_terms["D_real"]) + float(d_terms["D_fake"]))
    assert [p.name for p in m.phases()] == ["generator", "discriminator"]


def test_cli_trains_from_init_resumes_and_exports(init_run, gan_run):
    lines = (gan_run / "metrics.csv").read_text().splitlines()
    header = lines[0].split(",")
    for term in ("G_vgg", "G_adv", "D_real", "D_fake"):
        values = [float(line.split(",")[header.index(term)]) for line in lines[1:]]
        assert values and np.all(np.isfinite(values)), term
    assert (gan_run / "samples" / "epoch-001.png").is_file()
    g0 = keras.saving.load_model(init_run / "generator.keras", safe_mode=True)
    g1 = keras.saving.load_model(gan_run / "generator.keras", safe_mode=True)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 8, 8, 3)).astype("float32")
    y0, y1 = np.asarray(g0(x)), np.asarray(g1(x))
    assert y1.shape == (1, 32, 32, 3)
    assert np.abs(y1 - y0).mean() > 1e-5          # training moved G away from the init
    assert np.abs(y1 - y0).mean() < np.abs(y0).mean()   # ... but started from it
    succeeded(cli_in_process("train", "--resume", gan_run, "--epochs", "2"))
    meta = json.loads(sorted((gan_run / "checkpoints").iterdir())[-1].joinpath(
        "meta.json").read_text())
    assert meta["global_step"] == 6 and meta["finished"]
