"""Device strategies: tf.distribute on TensorFlow, keras.distribution on JAX.

``--strategy``:

* ``one``: a single device.
* ``mirrored``: data parallel over every local device (GPUs; or CPU devices
  made with ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` on JAX, or
  logical CPU devices on TensorFlow).
* ``multiworker``: data parallel over processes, possibly on several machines.
  TensorFlow uses ``MultiWorkerMirroredStrategy`` configured by ``TF_CONFIG``;
  JAX uses ``keras.distribution.initialize`` (``jax.distributed``) configured
  by ``CGTK_COORDINATOR`` (host:port), ``CGTK_NUM_PROCESSES`` and
  ``CGTK_PROCESS_ID``. See ``docs/distributed.md``.
* ``auto``: all local GPUs if there are several, else one device.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field

from cgtk.errors import CgtkError


@dataclass
class Distribution:
    backend: str
    kind: str  # one | mirrored | multiworker
    num_replicas: int = 1
    num_processes: int = 1
    process_index: int = 0
    devices: list = field(default_factory=list)
    platform: str = "cpu"
    strategy: object = None  # tf.distribute.Strategy (TensorFlow)

    @property
    def is_chief(self) -> bool:
        return self.process_index == 0

    def scope(self):
        if self.strategy is not None:
            return self.strategy.scope()
        return contextlib.nullcontext()

    def describe(self) -> dict:
        return {"kind": self.kind, "replicas": self.num_replicas,
                "processes": self.num_processes, "platform": self.platform}


def _tensorflow(kind: str) -> Distribution:
    import tensorflow as tf

    # physical devices: listing them does not start TensorFlow's runtime, which
    # MultiWorkerMirroredStrategy must configure first ("collective ops must be
    # configured at program startup")
    gpus = tf.config.list_physical_devices("GPU")
    platform = "gpu" if gpus else "cpu"
    if kind == "auto":
        kind = "mirrored" if len(gpus) > 1 else "one"
    if kind == "multiworker":
        if "TF_CONFIG" not in os.environ:
            raise CgtkError("--strategy multiworker on TensorFlow needs TF_CONFIG",
                            hint="see docs/distributed.md")
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        resolver = strategy.cluster_resolver
        workers = resolver.cluster_spec().as_dict().get("worker", [None])
        return Distribution("tensorflow", "multiworker", strategy.num_replicas_in_sync,
                            num_processes=len(workers), process_index=resolver.task_id or 0,
                            platform=platform, strategy=strategy)
    if kind == "one":
        return Distribution("tensorflow", "one", 1, devices=["GPU:0" if gpus else "CPU:0"],
                            platform=platform, strategy=tf.distribute.get_strategy())
    if kind == "mirrored":
        devices = ([d.name for d in tf.config.list_logical_devices("GPU")]
                   or [d.name for d in tf.config.list_logical_devices("CPU")])
        strategy = tf.distribute.MirroredStrategy(devices=devices)
        return Distribution("tensorflow", "mirrored", strategy.num_replicas_in_sync,
                            devices=devices, platform=platform, strategy=strategy)
    raise CgtkError(f"--strategy {kind}: unknown strategy")


def _jax(kind: str) -> Distribution:
    import jax
    import keras

    if kind == "multiworker":
        coordinator = os.environ.get("CGTK_COORDINATOR")
        if not coordinator:
            raise CgtkError("--strategy multiworker on JAX needs CGTK_COORDINATOR, "
                            "CGTK_NUM_PROCESSES and CGTK_PROCESS_ID", hint="see docs/distributed.md")
        # CPU processes need a collectives implementation (set before JAX starts its
        # backends); GPU/TPU processes ignore this option.
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
        keras.distribution.initialize(
            job_addresses=coordinator,
            num_processes=int(os.environ["CGTK_NUM_PROCESSES"]),
            process_id=int(os.environ["CGTK_PROCESS_ID"]))
    devices = jax.devices()
    platform = devices[0].platform
    if kind == "auto":
        kind = "mirrored" if platform == "gpu" and len(jax.local_devices()) > 1 else "one"
    if kind == "one":
        return Distribution("jax", "one", 1, devices=[str(devices[0])], platform=platform)
    distribution = keras.distribution.DataParallel(devices=devices)
    keras.distribution.set_distribution(distribution)
    return Distribution("jax", kind, len(devices), num_processes=jax.process_count(),
                        process_index=jax.process_index(), devices=[str(d) for d in devices],
                        platform=platform)


def setup(kind: str) -> Distribution:
    """Create the strategy / distribution for ``--strategy kind`` on Keras's backend."""
    import keras

    backend = keras.backend.backend()
    return _tensorflow(kind) if backend == "tensorflow" else _jax(kind)


def default_jit(dist: Distribution) -> bool:
    """XLA by default on GPU; on CPU only for JAX (everything is XLA there).

    On this project's 2-core CPU, TensorFlow steps ran faster without XLA;
    see benchmarks/RESULTS.md for the measurement.
    """
    return dist.platform != "cpu" or dist.backend == "jax"
