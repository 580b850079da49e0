"""The EMA of a tiny realesrgan L1 stage on one device and under MirroredStrategy over two
logical CPUs (the step hooks run in cross-replica context), from the same weights on the
same global batches; prints the largest EMA difference. ``python ema_mirrored_script.py
[jit]``: run as a script (the device setup must precede TensorFlow's initialisation)."""
import sys

import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from cgtk_esrgan.realesrgan import RealESRGAN  # noqa: E402

from cgtk.engine import backend  # noqa: E402

JIT = "jit" in sys.argv[1:]
STEPS, BATCH = 3, 4
rng = np.random.default_rng(0)
hr = rng.uniform(-1, 1, (STEPS * BATCH, 32, 32, 3)).astype("float32")
lr = hr[:, ::2, ::2]
data = tf.data.Dataset.from_tensor_slices((lr, hr)).batch(BATCH, drop_remainder=True)
config = RealESRGAN.Config(**{**RealESRGAN.tiny_config, "stage": "psnr", "ema_decay": 0.5,
                              "batch_size": BATCH, "image_size": 32, "lr": 1e-2,
                              "lr_schedule": "constant", "seed": 0})


def train(strategy, initial=None):
    with strategy.scope():
        model = RealESRGAN(config)
        if initial is not None:
            model.set_weights(initial)
        model.compile_phases(steps_per_epoch=STEPS)
    start = [w.copy() for w in model.get_weights()]
    stepper = backend.current().Stepper(model, strategy, JIT)
    for b in stepper.distribute(data):
        stepper.step(b)
    return start, model.G_ema.get_weights(), model.G.get_weights(), int(model.ema_steps.numpy())


start, one, g_one, n_one = train(tf.distribute.get_strategy())
mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
_, two, g_two, n_two = train(mirrored, initial=start)
diff = max(float(np.max(np.abs(x - y))) for x, y in zip(one, two))
lag = max(float(np.max(np.abs(x - y))) for x, y in zip(one, g_one))
print(f"REPLICAS {mirrored.num_replicas_in_sync} EMADIFF {diff:.3e} LAG {lag:.3e} "
      f"STEPS {n_one} {n_two}")
