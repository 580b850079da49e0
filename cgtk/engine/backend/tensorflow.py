"""The TensorFlow train step: one ``tf.GradientTape`` per phase, then that
phase's ``optimizer.apply``. The only TensorFlow-specific engine code.

Distribution: the step runs per replica under ``strategy.run``. Each phase's
loss is divided by the number of replicas before differentiation, and the
optimizer sums gradients over replicas (Keras's convention). Logged terms are
averaged over replicas.

XLA: on one device the whole step is ``tf.function(jit_compile=True)``. Under
``MirroredStrategy`` Keras 3 cannot XLA-compile a step that contains the
cross-replica gradient reduction (keras-team/keras#19005), so only the
per-replica loss-and-gradient computation is compiled and the optimizer update
stays outside XLA.

The rest of the module is the TensorFlow side of the interface listed in
:mod:`cgtk.engine.backend`.
"""
from __future__ import annotations

import contextlib
import os

import numpy as np
import tensorflow as tf


def _loss_and_grads(model, phase, optimizer, data, carry, num_replicas):
    variables = phase.trainable_variables
    carry_out = dict(carry)
    with tf.GradientTape() as tape:
        loss, terms = phase.loss(data, carry_out)
        loss = tf.cast(loss, tf.float32)
        scaled = optimizer.scale_loss(loss / num_replicas)
    grads = tape.gradient(scaled, variables)
    terms = {k: tf.cast(v, tf.float32) for k, v in terms.items()}
    return loss, terms, grads, carry_out


def _check_grads(phase, grads):
    missing = [v.path for v, g in zip(phase.trainable_variables, grads) if g is None]
    if missing:
        raise ValueError(
            f"phase '{phase.name}': no gradient reaches {len(missing)} variable(s), e.g. "
            f"{missing[0]}. Does its loss use every network the phase trains?")


def train_step(model, data):
    """One training step: every phase in order. Returns ``{term: scalar}``."""
    strategy = tf.distribute.get_strategy()
    num_replicas = strategy.num_replicas_in_sync
    grad_fns = getattr(model, "_cgtk_grad_fns", None)
    carry, logs = {}, {}
    for index, (phase, optimizer) in enumerate(zip(model.training_phases, model.phase_optimizers)):
        if grad_fns is not None:
            loss, terms, grads, carry = grad_fns[index](data, carry)
        else:
            loss, terms, grads, carry = _loss_and_grads(
                model, phase, optimizer, data, carry, num_replicas)
        _check_grads(phase, grads)
        optimizer.apply(grads, phase.trainable_variables)
        logs.update(terms)
        logs[f"loss_{phase.name}"] = loss
    return logs


def _jit_grad_fns(model, num_replicas):
    """Per-phase XLA-compiled loss-and-gradient functions (the #19005 workaround)."""
    def compiled(phase, optimizer):
        def fn(data, carry):
            return _loss_and_grads(model, phase, optimizer, data, carry, num_replicas)
        return tf.function(fn, jit_compile=True, reduce_retracing=True, autograph=False)

    return [compiled(p, o) for p, o in zip(model.training_phases, model.phase_optimizers)]


def _hook(model, name):
    hook = getattr(model, name, None)
    if hook is not None:
        hook()


class Stepper:
    """Runs compiled training steps on TensorFlow (one device or a tf.distribute strategy)."""

    def __init__(self, model, strategy, jit: bool):
        self.model = model
        self.strategy = strategy
        replicas = strategy.num_replicas_in_sync
        distributed = replicas > 1 or isinstance(
            strategy, tf.distribute.MultiWorkerMirroredStrategy)
        if jit and distributed:
            model._cgtk_grad_fns = _jit_grad_fns(model, replicas)
            outer_jit = False
        else:
            model._cgtk_grad_fns = None
            outer_jit = jit
        self.distributed = distributed

        def replica_step(data):
            return model.train_step(data)

        def step(data):
            _hook(model, "before_step")  # GANModel's step hooks, in cross-replica context
            if not distributed:
                logs = replica_step(data)
            else:
                per_replica = strategy.run(replica_step, args=(data,))
                logs = {k: strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
                        for k, v in per_replica.items()}
            _hook(model, "after_step")
            return logs

        # autograph is not needed (phases are a Python loop; losses use keras.ops)
        self._step = tf.function(step, jit_compile=outer_jit, reduce_retracing=True,
                                 autograph=False)

    def distribute(self, dataset):
        """Turn a tf.data dataset of global batches into what :meth:`step` takes."""
        if self.distributed:
            return iter(self.strategy.experimental_distribute_dataset(dataset))
        return iter(dataset)

    def step(self, batch) -> dict:
        return self._step(batch)

    def sync(self) -> None:
        """Variables are updated in place on TensorFlow: nothing to do."""

    def reload(self) -> None:
        """Variables are read in place on TensorFlow: nothing to do."""

    def logs_to_numpy(self, logs) -> dict:
        return {k: float(v) for k, v in logs.items()}


def gradient_penalty(critic, real, fake, weight=10.0, seed=None):
    """WGAN-GP penalty: ``weight * E[(||∇ critic(x̂)||₂ - 1)²]`` at random
    interpolates ``x̂`` of ``real`` and ``fake`` (Gulrajani et al. 2017)."""
    import keras

    real = tf.cast(real, tf.float32)
    fake = tf.cast(fake, tf.float32)
    alpha = keras.random.uniform([tf.shape(real)[0], 1, 1, 1], seed=seed)
    interp = real + alpha * (fake - real)
    with tf.GradientTape() as tape:
        tape.watch(interp)
        total = tf.reduce_sum(tf.cast(critic(interp, training=True), tf.float32))
    grads = tape.gradient(total, interp)
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]) + 1e-12)
    return weight * tf.reduce_mean(tf.square(norms - 1.0))


# ---------------------------------------------------------------- set-up ---

#: TensorFlow steps ran faster without XLA on this project's 2-core CPU
#: (benchmarks/RESULTS.md); on a GPU XLA is the default.
JIT_ON_CPU = False


def enable_determinism() -> None:
    """Deterministic TensorFlow kernels (``tf.config.experimental.enable_op_determinism``)."""
    with contextlib.suppress(AttributeError, RuntimeError):  # older TF / already running
        tf.config.experimental.enable_op_determinism()


def default_strategy():
    """The default (one-device) ``tf.distribute`` strategy."""
    return tf.distribute.get_strategy()


def versions() -> dict:
    return {"tensorflow": tf.__version__}


def first_step_log_filter():
    """Grappler writes its known remapper message while compiling the first step:
    filter it (:func:`cgtk.native_logs.filtered_native_stderr`)."""
    from cgtk.native_logs import filtered_native_stderr

    return filtered_native_stderr()


def setup_distribution(kind: str):
    """``tf.distribute``: the default strategy, ``MirroredStrategy`` or
    ``MultiWorkerMirroredStrategy`` (configured by ``TF_CONFIG``)."""
    from cgtk.engine.distribute import Distribution
    from cgtk.errors import CgtkError

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


# ---------------------------------------------------- inference and bench ---

def inference_forward(network) -> InferenceForward:
    return InferenceForward(network)


class InferenceForward:
    """``fn(batch) -> y`` for ``cgtk infer`` (:func:`inference_forward`): one concrete function per channel count,
    traced once for every image size (input signature ``[None, None, None, C]``).

    Graph mode runs Grappler's fused conv + bias + activation kernels, which eager calls
    do not (issue 22, ``benchmarks/bench_infer_vs_torch.py``). A network that cannot
    trace with unknown sizes (Keras's bilinear ``UpSampling2D`` in MSRResNet) gets a
    ``tf.function`` traced once per input shape instead (a folder of one size traces
    once). ``graphs`` holds them by channel count.
    """

    def __init__(self, network):
        self.network = network
        self.graphs: dict = {}

    def graph(self, channels: int):
        if channels not in self.graphs:
            network = self.network
            fn = tf.function(lambda x: network(x, training=False), autograph=False)
            try:
                self.graphs[channels] = fn.get_concrete_function(
                    tf.TensorSpec([None, None, None, channels], tf.float32))
            except (TypeError, ValueError, NotImplementedError):  # needs static sizes
                self.graphs[channels] = tf.function(
                    lambda x: network(x, training=False), autograph=False)
        return self.graphs[channels]

    def __call__(self, batch):
        return self.graph(int(batch.shape[-1]))(tf.constant(batch))


def compiled_forward(network, jit: bool):
    """``tf.function(jit_compile=jit)`` of the network's inference call."""
    return tf.function(lambda x: network(x, training=False), jit_compile=jit,
                       reduce_retracing=True, autograph=False)


def block_until_ready(x) -> None:
    """TensorFlow computes eagerly on CPU and GPU alike: reading one element waits."""
    np.asarray(x[:1, :1, :1] if len(getattr(x, "shape", ())) >= 3 else x)


def peak_memory() -> int | None:
    if not tf.config.list_physical_devices("GPU"):
        return None
    return tf.config.experimental.get_memory_info("GPU:0")["peak"]


def accelerators() -> list[dict]:
    out = []
    for d in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(d)
        out.append({"kind": details.get("device_name", d.name), "platform": "gpu"})
    return out


def to_numpy(value) -> np.ndarray:
    from keras import ops

    return np.asarray(ops.convert_to_numpy(value))


# ---------------------------------------------------------------- export ---

def saved_model_endpoint(channels: int, input_name: str):
    """A ``tf.TensorSpec`` for ``ExportArchive.add_endpoint``, no extra arguments."""
    return tf.TensorSpec((None, None, None, channels), tf.float32, name=input_name), {}


def saved_model_options():
    return None
