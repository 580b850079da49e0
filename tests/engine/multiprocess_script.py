"""One process of a multi-process JAX data-parallel run of the toy plugin, through
cgtk's own ``--strategy multiworker`` setup. ``python multiprocess_script.py
RANK NUM_PROCESSES PORT OUT_DIR``; with NUM_PROCESSES 1 it is the single-process
reference over the same global batches. Writes OUT_DIR/rank<RANK>.npz."""
import os
import sys

rank, nproc, port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
os.environ["KERAS_BACKEND"] = "jax"
os.environ["JAX_PLATFORMS"] = "cpu"
if nproc > 1:
    os.environ.update(CGTK_COORDINATOR=f"127.0.0.1:{port}", CGTK_NUM_PROCESSES=str(nproc),
                      CGTK_PROCESS_ID=str(rank))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from toyplugin.model import ToyConfig, ToyGAN  # noqa: E402

from cgtk.engine import backend, distribute  # noqa: E402

dist = distribute.setup("multiworker" if nproc > 1 else "one")
STEPS, BATCH = 4, 8
rng = np.random.default_rng(0)
a = rng.uniform(-1, 1, (STEPS * BATCH, 8, 8, 3)).astype("float32")
data = tf.data.Dataset.from_tensor_slices((a, -a)).batch(BATCH, drop_remainder=True)
keras.utils.set_random_seed(0)
model = ToyGAN(ToyConfig(batch_size=BATCH))
model.compile_phases(steps_per_epoch=STEPS)
stepper = backend.current().Stepper(model, None, True)
losses = [stepper.logs_to_numpy(stepper.step(b))["loss_generator"] for b in stepper.distribute(data)]
stepper.sync()
weights = [np.asarray(w.value.addressable_data(0)) for w in model.trainable_variables]
np.savez(os.path.join(out, f"rank{rank}.npz"), *weights)
print(f"RANK {rank} PROCESSES {dist.num_processes} DEVICES {dist.num_replicas} LOSSES {losses}")
