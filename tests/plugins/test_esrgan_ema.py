"""The EMA of G in esrgan/realesrgan (``ema_decay``): updated after every step inside the
compiled step to the closed form, G starts from the average on a run's first step (so
``--init-from`` weights reach both), checkpoint save/restore continues it, and it is the
inference network -- on TensorFlow in-process and on JAX in a subprocess."""
import json

import keras
import numpy as np
import pytest
from cgtk_esrgan.esrgan import ESRGAN
from cgtk_esrgan.realesrgan import RealESRGAN
from helpers import cli_in_process, run_python, succeeded

from cgtk.errors import CgtkError

STEPS, DECAY, OFFSET = 3, 0.5, 0.3


def ema_closed_form(tmp: str) -> dict:
    """Train a tiny realesrgan L1 stage for STEPS steps with the engine's compiled step and
    compare the EMA with the closed form; then save, restore into a fresh model and take
    one more step on both. Returns the errors and facts (JSON-able), for any backend."""
    from cgtk import data as cgtk_data
    from cgtk.engine import backend
    from cgtk.runs import CheckpointManager

    def strategy():
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            return tf.distribute.get_strategy()
        return None

    keras.utils.set_random_seed(0)
    config = RealESRGAN.Config(**{**RealESRGAN.tiny_config, "stage": "psnr",
                                  "ema_decay": DECAY, "degradations": False,
                                  "image_size": 32, "batch_size": 2, "lr": 1e-2, "epoch_length": 8,
                                  "lr_schedule": "constant", "seed": 0})
    data = cgtk_data.load_train_data(cgtk_data.resolve_source("demo", "single"), config)
    batches = list(data.dataset(0).take(STEPS + 1).as_numpy_iterator())

    def model():
        m = RealESRGAN(config)
        m.compile_phases(steps_per_epoch=STEPS + 1)
        return m

    def weights(net):
        return [np.array(keras.ops.convert_to_numpy(v)) for v in net.weights]

    m = model()
    init = weights(m.G)
    start = [w + OFFSET for w in init]        # as --init-from puts weights on G_ema
    m.G_ema.set_weights(start)
    stepper = backend.current().Stepper(m, strategy(), jit=True)
    expected, trained = [w.copy() for w in start], []
    for batch in batches[:STEPS]:
        stepper.step(batch)
        stepper.sync()
        g = weights(m.G)
        trained.append(g)
        expected = [DECAY * e + (1 - DECAY) * w for e, w in zip(expected, g, strict=True)]
    ema = weights(m.G_ema)
    out = {
        "backend": keras.backend.backend(),
        "closed_form_err": max(float(np.max(np.abs(a - b))) for a, b in zip(ema, expected, strict=True)),
        "ema_vs_g": max(float(np.max(np.abs(a - b))) for a, b in zip(ema, trained[-1], strict=True)),
        # the first update started from the average (start), not from G's own init
        "first_from_start": max(float(np.max(np.abs(a - b))) for a, b in zip(trained[0], start, strict=True)),
        "steps": int(keras.ops.convert_to_numpy(m.ema_steps)),
        "inference_is_ema": m.inference_networks()["generator"].network is m.G_ema,
        "ema_trainable": len(m.G_ema.trainable_weights),
    }
    # checkpoint: a fresh model restored from it holds the same EMA and step count ...
    ckpt = CheckpointManager(tmp, keep=2)
    path = ckpt.save(m, {"global_step": STEPS})
    m2 = model()
    ckpt.restore(path, m2)
    out["restored_err"] = max(float(np.max(np.abs(a - b)))
                              for a, b in zip(weights(m2.G_ema), ema, strict=True))
    out["restored_steps"] = int(keras.ops.convert_to_numpy(m2.ema_steps))
    # ... and one more step on both continues it (no new start: G is not reset)
    s2 = backend.current().Stepper(m2, strategy(), jit=True)
    stepper.step(batches[STEPS])
    stepper.sync()
    s2.step(batches[STEPS])
    s2.sync()
    out["resumed_ema_err"] = max(float(np.max(np.abs(a - b)))
                                 for a, b in zip(weights(m2.G_ema), weights(m.G_ema), strict=True))
    out["resumed_g_err"] = max(float(np.max(np.abs(a - b)))
                               for a, b in zip(weights(m2.G), weights(m.G), strict=True))
    out["resumed_steps"] = int(keras.ops.convert_to_numpy(m2.ema_steps))
    return out


def _check(out):
    assert out["closed_form_err"] < 1e-5, out
    assert out["ema_vs_g"] > 1e-3, out                  # the average lags behind G
    assert out["first_from_start"] < 0.05 < OFFSET, out   # moved by ~lr, not by OFFSET
    assert out["steps"] == STEPS and out["inference_is_ema"] and out["ema_trainable"] == 0
    assert out["restored_err"] == 0 and out["restored_steps"] == STEPS, out
    assert out["resumed_ema_err"] < 1e-5 and out["resumed_g_err"] < 1e-5, out
    assert out["resumed_steps"] == STEPS + 1, out


def test_ema_closed_form_checkpoint_and_inference_here(tmp_path):
    _check(ema_closed_form(str(tmp_path)))


def test_ema_closed_form_on_jax(tmp_path):
    pytest.importorskip("jax", reason="the JAX backend is not installed")
    code = f"""
        import json, sys
        sys.path.insert(0, "tests/plugins")
        from test_esrgan_ema import ema_closed_form
        print("RESULT" + json.dumps(ema_closed_form({str(tmp_path)!r})))
    """
    result = succeeded(run_python(code, backend="jax"))
    out = json.loads(result.stdout.rsplit("RESULT", 1)[1])
    assert out["backend"] == "jax"
    _check(out)


def test_ema_defaults_follow_the_reference_ymls():
    assert RealESRGAN.Config().ema() == 0.999                      # x4plus
    assert RealESRGAN.Config(stage="psnr").ema() == 0.999          # realesrnet x4plus
    assert ESRGAN.Config().ema() == 0.999                          # train_ESRGAN_x4.yml
    assert ESRGAN.Config(stage="psnr").ema() == 0.0                # train_RRDBNet_PSNR_x4
    off = ESRGAN(ESRGAN.Config(**{**ESRGAN.tiny_config, "stage": "psnr"}))
    assert off.G_ema is None and off.inference_networks()["generator"].network is off.G
    with pytest.raises(CgtkError, match="ema_decay=1.5") as err:
        ESRGAN.Config(ema_decay=1.5).ema()
    assert "\n" not in str(err.value)


def test_cli_exports_the_ema_network(tmp_path):
    """`cgtk train realesrgan` writes the EMA network as generator.keras: with decay 0.5 and
    a large lr it is G's checkpointed average, not G."""
    from cgtk.runs import CheckpointManager

    run = tmp_path / "run"
    succeeded(cli_in_process("train", "realesrgan", "--data", "demo", "--set", "stage=psnr",
                      "--set", "ema_decay=0.5", "--set", "lr=1e-2", "--set", "n_blocks=1",
                      "--set", "n_feats=8", "--set", "growth=4", "--set", "scale=2",
                      "--set", "degradations=false", "--image-size", "32", "--batch-size",
                      "2", "--epochs", "1", "--steps-per-epoch", "2", "--seed", "3",
                      "--run-dir", run))
    record = json.loads((run / "config.json").read_text())
    config = RealESRGAN.Config(**{k: v for k, v in record["config"].items()
                                  if k in RealESRGAN.Config.__dataclass_fields__})
    m = RealESRGAN(config)
    m.compile_phases(steps_per_epoch=2)
    CheckpointManager(run / "checkpoints").restore_latest(m)
    exported = keras.saving.load_model(run / "generator.keras", safe_mode=True)
    for a, b in zip(exported.get_weights(), m.G_ema.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-7)
    diff = max(float(np.max(np.abs(a - b)))
               for a, b in zip(exported.get_weights(), m.G.get_weights(), strict=True))
    assert diff > 1e-3
    assert int(keras.ops.convert_to_numpy(m.ema_steps)) == 2


@pytest.mark.parametrize("jit", [False, True])
def test_ema_under_mirrored_strategy_matches_one_device(jit):
    """The step hooks run in cross-replica context: 2 logical CPUs give one device's EMA."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    from helpers import REPO, env_with

    script = Path(__file__).with_name("ema_mirrored_script.py")
    result = subprocess.run([sys.executable, str(script), *(["jit"] if jit else [])],
                            env=env_with(), cwd=REPO, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    found = re.search(r"REPLICAS (\d+) EMADIFF (\S+) LAG (\S+) STEPS (\d+) (\d+)", result.stdout)
    assert found, result.stdout
    assert int(found[1]) == 2 and found[4] == found[5] == "3"
    assert float(found[2]) < 1e-5 < float(found[3])
