"""Train the toy plugin for a few steps on one device and data-parallel over two,
from the same initial weights on the same global batches; print the largest
weight difference. Run as a script (the device setup must precede TensorFlow/JAX
initialisation): ``python parity_script.py MODE`` with MODE in
``mirrored``, ``mirrored-jit``, ``jax-dp``."""
import os
import sys

mode = sys.argv[1]
if mode.startswith("jax"):
    os.environ["KERAS_BACKEND"] = "jax"
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

if mode.startswith("mirrored"):
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from toyplugin.model import ToyConfig, ToyGAN  # noqa: E402

from cgtk.engine import backend  # noqa: E402

STEPS, BATCH = 4, 8
rng = np.random.default_rng(0)
a = rng.uniform(-1, 1, (STEPS * BATCH, 8, 8, 3)).astype("float32")
data = tf.data.Dataset.from_tensor_slices((a, -a)).batch(BATCH, drop_remainder=True)
keras.utils.set_random_seed(0)
config = ToyConfig(batch_size=BATCH)


def train(strategy, jit, initial=None):
    scope = strategy.scope() if strategy is not None else keras.name_scope("one")
    with scope:
        model = ToyGAN(config)
        if initial is not None:
            model.set_weights(initial)
        model.compile_phases(steps_per_epoch=STEPS)
    start = [w.copy() for w in model.get_weights()]
    stepper = backend.current().Stepper(model, strategy, jit)
    losses = [stepper.logs_to_numpy(stepper.step(b))["loss_generator"]
              for b in stepper.distribute(data)]
    stepper.sync()
    return start, model.get_weights(), losses


if mode.startswith("mirrored"):
    jit = mode.endswith("jit")
    start, one, l1 = train(tf.distribute.get_strategy(), jit)
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    _, two, l2 = train(mirrored, jit, initial=start)
    replicas = mirrored.num_replicas_in_sync
else:
    import jax

    start, one, l1 = train(None, True)
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
    _, two, l2 = train(None, True, initial=start)
    replicas = len(jax.devices())
diff = max(float(np.max(np.abs(x - y))) for x, y in zip(one, two))
moved = max(float(np.max(np.abs(x - y))) for x, y in zip(start, one))
print(f"REPLICAS {replicas} MAXDIFF {diff:.3e} MOVED {moved:.3e} LOSSES {l1} {l2}")
