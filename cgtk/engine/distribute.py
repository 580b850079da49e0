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

Each backend module's ``setup_distribution`` (:mod:`cgtk.engine.backend`) makes the
:class:`Distribution`; this module holds what the rest of cgtk sees of it.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field


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


def setup(kind: str) -> Distribution:
    """Create the strategy / distribution for ``--strategy kind`` on Keras's backend
    (``setup_distribution`` of :mod:`cgtk.engine.backend`)."""
    from cgtk.engine import backend

    return backend.current().setup_distribution(kind)


def default_jit(dist: Distribution) -> bool:
    """XLA by default on GPU; on CPU where the backend says so (``JIT_ON_CPU``: JAX,
    where everything is XLA; not TensorFlow, whose steps ran faster without XLA on this
    project's 2-core CPU, see benchmarks/RESULTS.md)."""
    from cgtk.engine import backend

    return dist.platform != "cpu" or backend.current().JIT_ON_CPU
