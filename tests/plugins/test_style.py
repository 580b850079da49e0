"""The style plugin: transformer network, Gram targets from setup_data, losses, CLI
train/resume/sample/export (TF and JAX), and a learning test (random VGG weights)."""
import json
import warnings

import keras
import numpy as np
import pytest
from cgtk_style.model import FastStyle
from cgtk_style.network import transformer_network
from helpers import cli_in_process, succeeded

from cgtk.losses.perceptual import feature_loss, gram_matrix

TINY = ["--set", "ngf=8", "--set", "n_blocks=1", "--set", "vgg_weights=none",
        "--image-size", "32", "--batch-size", "2"]


@pytest.fixture(scope="module")
def model():
    m = FastStyle(FastStyle.Config(ngf=4, n_blocks=1, vgg_weights="none", style_size=48,
                                   seed=0))
    assert m.vgg is None                      # built when training starts, not before
    with pytest.warns(UserWarning, match="RANDOM"):
        m.loss_network()
    return m


# ------------------------------------------------------------------ network ---

def test_transformer_is_johnsons():
    t = transformer_network()
    convs = [la for la in t.layers if isinstance(la, keras.layers.Conv2D)
             and not isinstance(la, keras.layers.Conv2DTranspose)]
    assert [c.kernel_size[0] for c in convs][:3] == [9, 3, 3] and convs[-1].kernel_size == (9, 9)
    assert [c.filters for c in convs][:3] == [32, 64, 128] and convs[-1].filters == 3
    assert [c.strides[0] for c in convs][:3] == [1, 2, 2]
    assert len([la for la in t.layers if la.name.endswith("_add")]) == 5
    ups = [la for la in t.layers if isinstance(la, keras.layers.Conv2DTranspose)]
    assert [u.filters for u in ups] == [64, 32]
    norms = [la for la in t.layers if isinstance(la, keras.layers.GroupNormalization)]
    assert norms and all(n.scale and n.center for n in norms)
    # one group per channel: instance norm
    assert all(n.get_config()["groups"] in (-1, n.gamma.shape[0]) for n in norms)


@pytest.mark.parametrize("upsample", ["transpose", "nearest"])
def test_transformer_any_multiple_of_4_and_safe_mode(tmp_path, upsample):
    t = transformer_network(ngf=4, n_blocks=1, upsample=upsample, norm="instance")
    x = np.random.default_rng(0).uniform(-1, 1, (1, 20, 28, 3)).astype("float32")
    y = np.asarray(t(x))
    assert y.shape == x.shape and np.all(np.abs(y) <= 1)
    t.save(tmp_path / "t.keras")
    back = keras.saving.load_model(tmp_path / "t.keras", safe_mode=True)
    np.testing.assert_allclose(np.asarray(back(x)), y, atol=1e-5)


# -------------------------------------------------------------- style, loss ---

def test_setup_data_stores_gram_targets(model):
    rng = np.random.default_rng(1)
    style = rng.uniform(-1, 1, (96, 64, 3)).astype("float32")
    model.setup_data({"style_image": style})
    assert model.style_preview.shape == (48, 32, 3)   # longer side -> style_size
    resized = keras.ops.image.resize(style[None], (48, 32), interpolation="bicubic",
                                     antialias=True)
    feats = model.vgg.as_dict(model.vgg(keras.ops.clip(resized, -1, 1)))
    for var, name in zip(model.style_grams, model.style_layer_names, strict=True):
        np.testing.assert_allclose(np.asarray(var), np.asarray(gram_matrix(feats[name]))[0],
                                   rtol=1e-4, atol=1e-6)
    assert all(not v.trainable for v in model.style_grams)
    assert {v.path for v in model.style_grams} <= {v.path for v in model.variables}


def test_loss_terms(model):
    model.setup_data({"style_image": np.zeros((32, 32, 3), "float32")})
    x = np.random.default_rng(2).uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
    loss, terms = model.transformer_loss(x, {})
    assert set(terms) == {"T_content", "T_style", "T_tv"}
    assert float(loss) == pytest.approx(sum(float(v) for v in terms.values()), rel=1e-5)
    # the content term is zero when the output is the input
    parts = model.losses_of(x, x)
    assert float(parts["content"]) == pytest.approx(0.0, abs=1e-6)


def test_setup_data_needs_a_style_image(model):
    from cgtk.errors import CgtkError

    with pytest.raises(CgtkError, match="style image"):
        model.setup_data({})


# ---------------------------------------------------------------------- CLI ---

def test_cli_train_sample_export_resume_with_style_file(tmp_path, shared_data):
    run = tmp_path / "run"
    style = shared_data / "style" / "styles" / "wave.jpg"
    succeeded(cli_in_process("train", "style", "--data", "demo", "--epochs", "1",
                             "--steps-per-epoch", "2", *TINY, "--set", f"style_image={style}",
                             "--set", "style_size=64", "--seed", "1", "--run-dir", run))
    record = json.loads((run / "config.json").read_text())
    assert record["config"]["style_image"] == str(style)
    assert record["inference"]["stylize"]["multiple"] == 4
    assert (run / "samples" / "epoch-001.png").is_file()
    t = keras.saving.load_model(run / "stylize.keras", safe_mode=True)
    assert tuple(t(np.zeros((1, 36, 44, 3), "float32")).shape) == (1, 36, 44, 3)
    succeeded(cli_in_process("train", "--resume", run, "--epochs", "2"))
    steps = [json.loads((p / "meta.json").read_text())["global_step"]
             for p in (run / "checkpoints").iterdir()]
    assert max(steps) == 4


def test_cli_jax_smoke(tmp_path):
    run = tmp_path / "jax"
    succeeded(cli_in_process("train", "style", "--data", "demo", "--backend", "jax",
                             "--epochs", "1", "--steps-per-epoch", "2", *TINY, "--set",
                             "upsample=nearest",
                # a shallower VGG keeps XLA's compile time down
                "--set", "style_layers=relu1_2,relu2_2", "--run-dir", run,
                             backend="jax"))
    rows = (run / "metrics.csv").read_text().splitlines()
    header = rows[0].split(",")
    assert np.isfinite(float(rows[-1].split(",")[header.index("T_style")]))
    t = keras.saving.load_model(run / "stylize.keras", safe_mode=True)
    assert tuple(t(np.zeros((1, 32, 32, 3), "float32")).shape) == (1, 32, 32, 3)


# ----------------------------------------------------------------- learning ---

def _style_distance(model, images):
    """Per image: sum over style layers of the mean squared Gram difference to the style."""
    feats = model.vgg.as_dict(model.vgg(images))
    total = 0.0
    for var, name in zip(model.style_grams, model.style_layer_names, strict=True):
        diff = np.asarray(gram_matrix(feats[name])) - np.asarray(var)[None]
        total = total + np.mean(diff ** 2, axis=(1, 2))
    return total


@pytest.mark.slow
def test_learns_the_style(shared_data, tmp_path):
    """With RANDOM VGG weights the losses are not "perceptual", but they are still a
    well-defined target: a transformer that learns must bring the Gram statistics of
    its outputs close to the style's while keeping the content features."""
    from cgtk.engine.builder import TrainRequest, build, resolve

    content = tmp_path / "content"
    content.mkdir()
    photos = sorted((shared_data / "photos" / "sun_hays80").glob("*.jpg"))[:14]
    for p in [*sorted((shared_data / "style" / "content").glob("*.jpg")), *photos]:
        (content / p.name).symlink_to(p)
    style = shared_data / "style" / "styles" / "the_scream.jpg"
    request = TrainRequest(
        plugin="style", data=str(content), run_dir=tmp_path / "run",
        sets=["ngf=16", "n_blocks=3", "vgg_weights=none", f"style_image={style}",
              "style_size=96", "load_size=96", "tv_weight=1", "style_weight=5",
              "lr=2e-3", "log_every=50", "style_layers=relu1_2,relu2_2,relu3_3",
              f"epoch_length={4 * STYLE_STEPS}"],   # fresh crops for every step
        flags={"epochs": 1, "batch_size": 4,
               "image_size": 64, "seed": 0, "backend": "tensorflow"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer = build(resolve(request), callbacks=[])
    trainer.run.unlock()
    trainer.fit()
    model = trainer.model
    x = np.asarray(trainer.sample_batch, "float32")   # centre crops (not random crops)
    y = np.asarray(model.T(x, training=False))
    before, after = _style_distance(model, x), _style_distance(model, y)
    f_x = model.vgg.as_dict(model.vgg(x))[model.config.content_layer]
    f_y = model.vgg.as_dict(model.vgg(y))[model.config.content_layer]
    rel_content = float(feature_loss(f_y, f_x)) / float(np.mean(np.asarray(f_x) ** 2))
    print(f"style distance {before.mean():.4g} -> {after.mean():.4g} "
          f"(ratio {after.mean() / before.mean():.3f}); relative content {rel_content:.3f}")
    assert after.mean() < STYLE_MEAN_RATIO * before.mean(), (before, after)
    assert np.all(after < STYLE_WORST_RATIO * before), (before, after)
    assert rel_content < CONTENT_BOUND


#: Steps of the learning test and its thresholds (see docs/style.md). oneDNN picks other
#: kernels per CPU, so a seeded run repeats on one machine only. Style distance after /
#: before, 200 steps, seed 0, mean over the 4 sample crops (worst image):
#:   AVX-512/AMX kernels (Intel Xeon; lscpu: avx2 avx512f avx512_vnni avx512_bf16
#:   avx512_fp16 amx_bf16): 0.257 (0.397)
#:   AVX2 kernels (the same CPU with ONEDNN_MAX_CPU_ISA=AVX2):  0.280 (0.368)
#:   AMD EPYC, AVX2 only (issue 21):                          0.309 (0.52)
#:   untrained (2 steps, AVX-512):                            2.32 (3.96)
#: The old bound, 0.3 for every image, failed on all three. The mean must fall below
#: 0.45 and every image below 0.7: a 5x drop from the untrained network, with a margin
#: of 0.14 (mean) and 0.18 (worst image) over the worst CPU measured.
STYLE_STEPS = 200
STYLE_MEAN_RATIO = 0.45
STYLE_WORST_RATIO = 0.7
CONTENT_BOUND = 1.0
