"""One worker of a TensorFlow MultiWorkerMirroredStrategy run of the toy plugin through
cgtk's ``--strategy multiworker`` setup (TF_CONFIG), or with NUM_WORKERS 1 the
single-process reference. ``python tf_multiworker_script.py RANK NUM_WORKERS PORT0 OUT``."""
import json
import os
import sys

rank, nworkers, port, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
os.environ["KERAS_BACKEND"] = "tensorflow"
if nworkers > 1:
    os.environ["TF_CONFIG"] = json.dumps({
        "cluster": {"worker": [f"127.0.0.1:{port + i}" for i in range(nworkers)]},
        "task": {"type": "worker", "index": rank}})

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from toyplugin.model import ToyConfig, ToyGAN  # noqa: E402

from cgtk.engine import backend, distribute  # noqa: E402

dist = distribute.setup("multiworker" if nworkers > 1 else "one")
STEPS, BATCH = 4, 8
rng = np.random.default_rng(0)
a = rng.uniform(-1, 1, (STEPS * BATCH, 8, 8, 3)).astype("float32")
data = tf.data.Dataset.from_tensor_slices((a, -a)).batch(BATCH, drop_remainder=True)
keras.utils.set_random_seed(0)
with dist.scope():
    model = ToyGAN(ToyConfig(batch_size=BATCH))
    model.compile_phases(steps_per_epoch=STEPS)
stepper = backend.current().Stepper(model, dist.strategy, False)
losses = [stepper.logs_to_numpy(stepper.step(b))["loss_generator"] for b in stepper.distribute(data)]
weights = [np.asarray(v.numpy()) for v in model.trainable_variables]
np.savez(os.path.join(out, f"rank{rank}.npz"), *weights)
print(f"RANK {rank} WORKERS {dist.num_processes} REPLICAS {dist.num_replicas} LOSSES {losses}")
