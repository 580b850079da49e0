"""The engine's train step with the tiny test plugin: learning on both backends,
fakes reused between phases, mixed precision, loss scaling, overrides."""
import numpy as np
import pytest
import tensorflow as tf
from helpers import run_python
from keras import ops
from toyplugin.model import ToyConfig, ToyGAN

from cgtk.engine import backend
from cgtk.engine.schedules import EpochSchedule

STEPS, BATCH = 60, 4


def toy_data(steps=STEPS, batch=BATCH, size=8, scale=1.0):
    """A trivially learnable paired task: the target is the negated input."""
    rng = np.random.default_rng(0)
    a = (scale * rng.uniform(-1, 1, (steps * batch, size, size, 3))).astype("float32")
    return tf.data.Dataset.from_tensor_slices((a, -a)).batch(batch, drop_remainder=True)


def train(model, data, jit=False):
    stepper = backend.current().Stepper(model, tf.distribute.get_strategy(), jit)
    logs = [stepper.logs_to_numpy(stepper.step(b)) for b in stepper.distribute(data)]
    stepper.sync()
    return logs


@pytest.fixture(scope="module")
def trained():
    model = ToyGAN(ToyConfig(batch_size=BATCH))
    model.compile_phases(steps_per_epoch=STEPS)
    return model, train(model, toy_data())


def test_losses_fall_on_tensorflow(trained):
    _, logs = trained
    first = np.mean([r["G_l1"] for r in logs[:5]])
    last = np.mean([r["G_l1"] for r in logs[-5:]])
    assert last < 0.6 * first, (first, last)


def test_generator_runs_once_per_step(trained):
    """The discriminator phase reuses the generator's fakes from `carry`."""
    model, logs = trained
    assert model.generator_calls() == len(logs) == STEPS


def test_every_phase_optimizer_stepped(trained):
    model, logs = trained
    assert [int(o.iterations.numpy()) for o in model.phase_optimizers] == [STEPS, STEPS]
    assert {"G_gan", "G_l1", "D", "loss_generator", "loss_discriminator"} == set(logs[0])


def test_losses_fall_on_jax_and_fakes_are_reused():
    code = """
    import numpy as np, tensorflow as tf
    from cgtk.engine import backend
    from toyplugin.model import ToyConfig, ToyGAN
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (240, 8, 8, 3)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((a, -a)).batch(4, drop_remainder=True)
    model = ToyGAN(ToyConfig(batch_size=4, dropout=0.2))
    model.compile_phases(steps_per_epoch=60)
    stepper = backend.current().Stepper(model, None, True)
    logs = [stepper.logs_to_numpy(stepper.step(b)) for b in stepper.distribute(data)]
    stepper.sync()
    first = np.mean([r["G_l1"] for r in logs[:5]]); last = np.mean([r["G_l1"] for r in logs[-5:]])
    print("RESULT", first, last, model.generator_calls(), len(logs))
    """
    result = run_python(code, backend="jax")
    assert result.returncode == 0, result.stderr[-3000:]
    first, last, calls, steps = map(float, result.stdout.split("RESULT")[1].split())
    assert "int64" not in result.stderr  # the lr schedule's step count stays int32 on JAX
    assert last < 0.7 * first  # dropout 0.2 slows it a little; an untrained G stays near 0.52
    assert calls == steps == 60


def test_mixed_bfloat16_trains():
    code = """
    import keras, numpy as np, tensorflow as tf
    keras.config.set_dtype_policy("mixed_bfloat16")
    from cgtk.engine import backend
    from toyplugin.model import ToyConfig, ToyGAN
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (160, 8, 8, 3)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((a, -a)).batch(4, drop_remainder=True)
    model = ToyGAN(ToyConfig(batch_size=4))
    model.compile_phases(steps_per_epoch=40)
    stepper = backend.current().Stepper(model, tf.distribute.get_strategy(), False)
    logs = [stepper.logs_to_numpy(stepper.step(b)) for b in stepper.distribute(data)]
    kernel = model.G.layers[2].kernel
    print("RESULT", logs[0]["G_l1"], logs[-1]["G_l1"], model.G.layers[2].compute_dtype,
          kernel.dtype, all(np.isfinite(list(r.values())).all() for r in logs))
    """
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-3000:]
    first, last, compute, variable, finite = result.stdout.split("RESULT")[1].split()
    assert compute == "bfloat16" and variable == "float32" and finite == "True"
    assert float(last) < float(first)


def test_mixed_float16_scales_losses_and_skips_non_finite_steps():
    code = """
    import keras, numpy as np, tensorflow as tf
    keras.config.set_dtype_policy("mixed_float16")
    from cgtk.engine import backend
    from toyplugin.model import ToyConfig, ToyGAN
    model = ToyGAN(ToyConfig(batch_size=4))
    model.compile_phases(steps_per_epoch=10)
    lso = model.phase_optimizers[0]
    assert isinstance(lso, keras.optimizers.LossScaleOptimizer)
    stepper = backend.current().Stepper(model, tf.distribute.get_strategy(), False)
    rng = np.random.default_rng(0)
    good = rng.uniform(-1, 1, (4, 8, 8, 3)).astype("float32")
    bad = good.copy(); bad[0, 0, 0, 0] = np.inf
    before = [np.array(v) for v in model.G.trainable_weights]
    scale0 = float(lso.dynamic_scale.numpy())
    stepper.step((tf.constant(bad), tf.constant(-good)))
    skipped = all(np.array_equal(b, np.array(v)) for b, v in zip(before, model.G.trainable_weights))
    scale1 = float(lso.dynamic_scale.numpy())
    stepper.step((tf.constant(good), tf.constant(-good)))
    moved = not all(np.array_equal(b, np.array(v)) for b, v in zip(before, model.G.trainable_weights))
    print("RESULT", skipped, scale0, scale1, moved)
    """
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-3000:]
    skipped, scale0, scale1, moved = result.stdout.split("RESULT")[1].split()
    assert skipped == "True", "a step with non-finite gradients changed the weights"
    assert float(scale1) == float(scale0) / 2
    assert moved == "True"


@pytest.mark.tensorflow_only
def test_a_plugin_may_override_train_step():
    class Custom(ToyGAN):
        custom_train_step = True  # opts in: the registry refuses a train_step otherwise

        def train_step(self, data):  # TensorFlow-only plugin, as documented
            a, b = data
            with tf.GradientTape() as tape:
                loss = ops.mean(ops.abs(self.G(a, training=True) - b))
            grads = tape.gradient(loss, self.G.trainable_variables)
            self.phase_optimizers[0].apply(grads, self.G.trainable_variables)
            return {"custom_l1": loss}

    model = Custom(ToyConfig(batch_size=BATCH))
    model.compile_phases(steps_per_epoch=10)
    logs = train(model, toy_data(steps=10))
    assert set(logs[0]) == {"custom_l1"}
    assert logs[-1]["custom_l1"] < logs[0]["custom_l1"]


def test_linear_decay_follows_the_reference_rule():
    schedule = EpochSchedule(1.0, "linear_decay", steps_per_epoch=5, n_epochs=3, n_epochs_decay=3)
    per_epoch = [round(float(schedule(e * 5)), 4) for e in range(6)]
    # junyanz's lambda_rule stepped at the start of each epoch (tests/engine/test_schedules.py)
    assert per_epoch == [1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    step = EpochSchedule(1.0, "step", steps_per_epoch=2, step_epochs=2, gamma=0.1)
    assert [round(float(step(e * 2)), 4) for e in range(5)] == [1.0, 1.0, 0.1, 0.1, 0.01]
