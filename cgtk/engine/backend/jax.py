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
"""
from __future__ import annotations

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
            return model.train_step(state, batch)

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
