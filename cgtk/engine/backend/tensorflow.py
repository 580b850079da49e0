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
"""
from __future__ import annotations

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
            if not distributed:
                return replica_step(data)
            per_replica = strategy.run(replica_step, args=(data,))
            return {k: strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
                    for k, v in per_replica.items()}

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
