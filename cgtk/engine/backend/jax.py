"""The JAX train step: stateless, ``jax.value_and_grad`` per phase, then that
phase's ``optimizer.stateless_apply``. The only JAX-specific engine code.

The state threaded through the jitted step is a tuple
``(trainable_values, non_trainable_values, optimizer_values)``:

* ``trainable_values`` / ``non_trainable_values`` follow
  ``model.trainable_variables`` / ``model.non_trainable_variables``; the
  latter carries batch-norm statistics, the image pool and every
  ``keras.random.SeedGenerator`` state, so randomness is part of the state.
* ``optimizer_values`` concatenates ``opt.variables`` of every phase's
  optimizer, in phase order (each phase's slots, iteration count and, under
  ``mixed_float16``, loss scale).

Every phase sees the values the previous phases produced: its loss runs
under a ``keras.StatelessScope`` mapping all variables to current values, and
non-trainable updates made inside it are carried on. Index bookkeeping is
done once (:class:`StateLayout`), outside the jitted function.

The rest of the module is the JAX side of the interface listed in
:mod:`cgtk.engine.backend`.
"""
from __future__ import annotations

import contextlib
import os

import jax
import keras
import numpy as np
from keras import ops


class StateLayout:
    """Where each phase's variables sit in the flat state lists (computed once)."""

    def __init__(self, model):
        self.trainable = list(model.trainable_variables)
        self.non_trainable = list(model.non_trainable_variables)
        position = {id(v): i for i, v in enumerate(self.trainable)}
        self.phase_indices = []
        for phase in model.training_phases:
            try:
                self.phase_indices.append([position[id(v)] for v in phase.trainable_variables])
            except KeyError as err:
                raise ValueError(
                    f"phase '{phase.name}' trains a variable the model does not track; keep "
                    "every network as an attribute of the model") from err
        self.optimizer_slices = []
        start = 0
        for optimizer in model.phase_optimizers:
            count = len(optimizer.variables)
            self.optimizer_slices.append(slice(start, start + count))
            start += count
        self.optimizer_variables = [v for o in model.phase_optimizers for v in o.variables]

    def values(self):
        return (
            [v.value for v in self.trainable],
            [v.value for v in self.non_trainable],
            [v.value for v in self.optimizer_variables],
        )

    def assign(self, state):
        for group, values in zip(
                (self.trainable, self.non_trainable, self.optimizer_variables), state):
            for variable, value in zip(group, values):
                variable.assign(value)


def _layout(model) -> StateLayout:
    layout = getattr(model, "_cgtk_state_layout", None)
    if layout is None:
        layout = StateLayout(model)
        model._cgtk_state_layout = layout
    return layout


def _phase_loss(model, layout, phase, optimizer, data):
    """A pure function of (phase values, all values, optimizer values, carry)."""
    indices = layout.phase_indices[layout_index(model, phase)]

    def loss_fn(phase_values, trainable, non_trainable, optimizer_values, carry):
        trainable = list(trainable)
        for j, i in enumerate(indices):
            trainable[i] = phase_values[j]
        mapping = (list(zip(layout.trainable, trainable))
                   + list(zip(layout.non_trainable, non_trainable))
                   + list(zip(optimizer.variables, optimizer_values)))
        carry_out = dict(carry)
        with keras.StatelessScope(state_mapping=mapping) as scope:
            loss, terms = phase.loss(data, carry_out)
            loss = ops.cast(loss, "float32")
            scaled = optimizer.scale_loss(loss)
        new_non_trainable = [scope.get_current_value(v) for v in layout.non_trainable]
        terms = {k: ops.cast(v, "float32") for k, v in terms.items()}
        return scaled, (loss, terms, carry_out, new_non_trainable)

    return indices, loss_fn


def layout_index(model, phase) -> int:
    for i, p in enumerate(model.training_phases):
        if p is phase:
            return i
    raise ValueError(f"unknown phase {phase.name}")


def train_step(model, state, data):
    """``(logs, new_state) = train_step(model, state, data)``; pure, jit-able."""
    layout = _layout(model)
    trainable, non_trainable, optimizer_values = (list(s) for s in state)
    carry, logs = {}, {}
    for phase, optimizer, opt_slice in zip(
            model.training_phases, model.phase_optimizers, layout.optimizer_slices):
        indices, loss_fn = _phase_loss(model, layout, phase, optimizer, data)
        phase_values = [trainable[i] for i in indices]
        opt_values = optimizer_values[opt_slice]
        grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
        (_, (loss, terms, carry, non_trainable)), grads = grad_fn(
            phase_values, trainable, non_trainable, opt_values, carry)
        new_phase_values, new_opt_values = optimizer.stateless_apply(
            opt_values, grads, phase_values)
        for j, i in enumerate(indices):
            trainable[i] = new_phase_values[j]
        optimizer_values[opt_slice] = new_opt_values
        logs.update(terms)
        logs[f"loss_{phase.name}"] = loss
    return logs, (trainable, non_trainable, optimizer_values)


def run_hook(model, layout, name, state):
    """Run ``model.before_step`` / ``after_step`` statelessly on ``state``: every variable
    is mapped to its current value, and what the hook assigns is carried on."""
    from cgtk.engine.model import GANModel

    own = getattr(type(model), name, None)
    if own is None or own is getattr(GANModel, name):
        return state  # not overridden: nothing to trace
    groups = (layout.trainable, layout.non_trainable, layout.optimizer_variables)
    mapping = [pair for group, values in zip(groups, state) for pair in zip(group, values)]
    with keras.StatelessScope(state_mapping=mapping) as scope:
        getattr(model, name)()
    return tuple([scope.get_current_value(v) for v in group] for group in groups)


def _distribute_batch(batch):
    """Place a (process-local) batch on the devices of the active keras.distribution."""
    distribution = keras.distribution.distribution()
    if distribution is None:
        return jax.tree_util.tree_map(jax.device_put, batch)
    from keras.src.backend.jax import distribution_lib as jax_dist

    def place(x):
        layout = distribution.get_data_layout(x.shape if jax.process_count() == 1
                                              else (x.shape[0] * jax.process_count(), *x.shape[1:]))
        return jax_dist.distribute_data_input(x, layout, distribution.batch_dim_name)

    return jax.tree_util.tree_map(place, batch)


class Stepper:
    """Runs jitted training steps on JAX, holding the state between steps.

    Call :meth:`sync` before reading variables (checkpoints, samples): it
    writes the state back into the Keras variables.
    """

    def __init__(self, model, strategy, jit: bool = True):
        self.model = model
        self.layout = _layout(model)
        self.state = self.layout.values()

        def step(state, batch):
            state = run_hook(model, self.layout, "before_step", state)
            logs, state = model.train_step(state, batch)
            return logs, run_hook(model, self.layout, "after_step", state)

        self._step = jax.jit(step, donate_argnums=(0,)) if jit else step

    def distribute(self, dataset):
        distribution = keras.distribution.distribution()
        if distribution is not None:  # each process reads its own shard of every global batch
            dataset = distribution.distribute_dataset(dataset)
        for batch in dataset.as_numpy_iterator():
            yield _distribute_batch(batch)

    def step(self, batch) -> dict:
        logs, self.state = self._step(self.state, batch)
        return logs

    def sync(self) -> None:
        self.layout.assign(self.state)

    def reload(self) -> None:
        """Re-read the state from the variables (after a checkpoint restore)."""
        self.state = self.layout.values()

    def logs_to_numpy(self, logs) -> dict:
        return {k: float(np.asarray(v)) for k, v in logs.items()}


def gradient_penalty(critic, real, fake, weight=10.0, seed=None):
    """WGAN-GP penalty (see the TensorFlow twin); differentiable w.r.t. the critic."""
    real = ops.cast(real, "float32")
    fake = ops.cast(fake, "float32")
    alpha = keras.random.uniform((real.shape[0], 1, 1, 1), seed=seed)
    interp = real + alpha * (fake - real)

    def score(x):
        return ops.sum(ops.cast(critic(x, training=True), "float32"))

    grads = jax.grad(score)(interp)
    norms = ops.sqrt(ops.sum(ops.square(grads), axis=(1, 2, 3)) + 1e-12)
    return weight * ops.mean(ops.square(norms - 1.0))


# ---------------------------------------------------------------- set-up ---

#: Everything is XLA on JAX: steps are compiled on a CPU too.
JIT_ON_CPU = True


def enable_determinism() -> None:
    """Nothing to switch on: ``keras.utils.set_random_seed`` seeds JAX's explicit RNG, and
    XLA's CPU kernels are deterministic."""


def default_strategy():
    """JAX has no strategy object: one device, or the active ``keras.distribution``."""
    return None


def versions() -> dict:
    """JAX's libraries, and TensorFlow's (tf.data feeds the steps on every backend), read
    from package metadata: nothing is imported (``cgtk bench`` on JAX never loads TF)."""
    from importlib import metadata

    out = {"jax": jax.__version__}
    for name in ("jaxlib", "tensorflow"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def first_step_log_filter():
    """Nothing filtered: XLA's warnings while compiling the first step are worth seeing."""
    return contextlib.nullcontext()


def setup_distribution(kind: str):
    """``keras.distribution``: one device, or ``DataParallel`` over every device (of
    every process: ``multiworker`` starts ``jax.distributed`` from ``CGTK_COORDINATOR``,
    ``CGTK_NUM_PROCESSES`` and ``CGTK_PROCESS_ID``)."""
    from cgtk.engine.distribute import Distribution
    from cgtk.errors import CgtkError

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
    if kind not in ("mirrored", "multiworker"):
        raise CgtkError(f"--strategy {kind}: unknown strategy")
    distribution = keras.distribution.DataParallel(devices=devices)
    keras.distribution.set_distribution(distribution)
    return Distribution("jax", kind, len(devices), num_processes=jax.process_count(),
                        process_index=jax.process_index(), devices=[str(d) for d in devices],
                        platform=platform)


# ---------------------------------------------------- inference and bench ---

def inference_forward(network):
    """``fn(batch) -> y`` for ``cgtk infer``: Keras's ``predict_on_batch``, jitted once per
    input shape."""
    return network.predict_on_batch


def compiled_forward(network, jit: bool):
    """``jax.jit`` of the network's ``stateless_call`` (variables passed in, not captured)."""
    trainable = [v.value for v in network.trainable_variables]
    non_trainable = [v.value for v in network.non_trainable_variables]

    def forward(tv, ntv, x):
        return network.stateless_call(tv, ntv, x, training=False)[0]

    fn = jax.jit(forward) if jit else forward
    return lambda x: fn(trainable, non_trainable, x)


def block_until_ready(x) -> None:
    """JAX dispatches asynchronously: wait for ``x`` (any pytree of arrays)."""
    jax.block_until_ready(x)


def peak_memory() -> int | None:
    device = jax.devices()[0]
    if device.platform == "cpu":
        return None
    return (device.memory_stats() or {}).get("peak_bytes_in_use")


def accelerators() -> list[dict]:
    return [{"kind": d.device_kind, "platform": d.platform, "id": d.id}
            for d in jax.devices() if d.platform != "cpu"]


def to_numpy(value) -> np.ndarray:
    """The host copy of ``value``; in a multi-process run a replicated array is not fully
    addressable from one process, so its local copy is read."""
    try:
        return np.asarray(ops.convert_to_numpy(value))
    except Exception:  # noqa: BLE001 - a replicated jax array in a multi-process run
        return np.asarray(value.addressable_data(0))


# ---------------------------------------------------------------- export ---

def saved_model_endpoint(channels: int, input_name: str):
    """A ``keras.InputSpec`` (jax2tf converts the call); ``is_static=False`` because layers
    may update state (RNG seeds, counters)."""
    spec = keras.InputSpec(shape=(None, None, None, channels), dtype="float32", name=input_name)
    return spec, {"is_static": False}


def saved_model_options():
    """Workaround: on JAX (Keras 3.15, TF 2.21) ``tf.saved_model.save`` fails tracing the
    gradient of jax2tf's IdentityN ("Error when tracing gradients for SavedModel"), for
    ``model.export(format="tf_saved_model")`` too. Serving needs no gradients."""
    import tensorflow as tf

    return tf.saved_model.SaveOptions(experimental_custom_gradients=False)
