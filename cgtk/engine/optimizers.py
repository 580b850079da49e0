"""One optimizer per phase: Adam (or the phase's own), its schedule, and loss
scaling under ``mixed_float16``.

cgtk's Adam is PyTorch's (``torch.optim.Adam``), since every built-in plugin restates
a PyTorch reference: epsilon (default ``1e-8``) is added to the bias-corrected
``sqrt(v_hat)``. Keras' own Adam adds its epsilon (default ``1e-7``) to the
*uncorrected* ``sqrt(v)`` and folds the correction into the step size, which amounts to
an epsilon ``sqrt(1 - beta_2**t)`` times larger: at step 1 with ``beta_2=0.999``, 32x.
For gradients near that epsilon (small, deep or normalised nets) the two differ.

>>> import numpy as np, keras
>>> v = keras.Variable(np.array([1.0, 1.0], "float32"))
>>> opt = TorchAdam(learning_rate=0.1, beta_1=0.5)
>>> opt.apply([np.array([1e-6, -1.0], "float32")], [v])
>>> [round(float(w), 4) for w in np.asarray(v)]  # step 1: w - lr * g / (|g| + 1e-8)
[0.901, 1.1]
"""
from __future__ import annotations

import keras
from keras import ops

from cgtk.engine.schedules import schedule_for


@keras.saving.register_keras_serializable(package="cgtk")
class TorchAdam(keras.optimizers.Adam):
    """Adam with PyTorch's update (``torch.optim.Adam``, no weight decay, no amsgrad)::

        m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
        w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + epsilon)

    Slots, names and checkpoints are Keras Adam's; only the update differs. The
    default ``epsilon`` is PyTorch's ``1e-8``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 name="torch_adam", **kwargs):
        if kwargs.get("amsgrad"):
            raise ValueError("TorchAdam does not implement amsgrad")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, name=name, **kwargs)

    def apply(self, grads, trainable_variables=None):
        # the step's scalars (bias corrections, step size) are computed once per apply,
        # not once per variable: the same values, a third fewer ops in a traced step
        self._step_scalars = {}
        try:
            return super().apply(grads, trainable_variables)
        finally:
            self._step_scalars = {}    # never keep a traced value past its step

    def _scalars(self, dtype, learning_rate):
        cache = getattr(self, "_step_scalars", None)
        if cache is None:       # update_step called outside apply
            cache = {}
        if dtype not in cache:
            step = ops.cast(self.iterations + 1, dtype)
            correction_1 = 1 - ops.power(ops.cast(self.beta_1, dtype), step)
            correction_2 = 1 - ops.power(ops.cast(self.beta_2, dtype), step)
            step_size = ops.cast(learning_rate, dtype) / correction_1
            cache[dtype] = (step_size, ops.sqrt(correction_2))
        return cache[dtype]

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        gradient = ops.cast(gradient, dtype)
        step_size, sqrt_correction_2 = self._scalars(dtype, learning_rate)
        m = self._momentums[self._get_variable_index(variable)]
        v = self._velocities[self._get_variable_index(variable)]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v),
                                        1 - self.beta_2))
        denom = ops.add(ops.divide(ops.sqrt(v), sqrt_correction_2), self.epsilon)
        self.assign_sub(variable, ops.divide(ops.multiply(m, step_size), denom))


def make_optimizer(phase, config, steps_per_epoch: int):
    """Build (not yet on variables) the optimizer for ``phase``.

    ``phase.optimizer``: ``"adam"`` (:class:`TorchAdam`, the references' optimizer),
    ``"keras_adam"`` (``keras.optimizers.Adam``, epsilon inside the step size) or a
    callable taking the schedule.
    """
    schedule = schedule_for(phase, config, steps_per_epoch)
    if callable(phase.optimizer):
        optimizer = phase.optimizer(schedule)
    elif phase.optimizer == "adam":
        optimizer = TorchAdam(learning_rate=schedule, beta_1=phase.beta_1,
                              beta_2=phase.beta_2, epsilon=phase.epsilon,
                              name=f"{phase.name}_adam")
    elif phase.optimizer == "keras_adam":
        optimizer = keras.optimizers.Adam(
            learning_rate=schedule, beta_1=phase.beta_1, beta_2=phase.beta_2,
            epsilon=phase.epsilon, name=f"{phase.name}_adam")
    else:
        raise ValueError(f"phase '{phase.name}': unknown optimizer {phase.optimizer!r}")
    if keras.config.dtype_policy().name == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer, name=f"{phase.name}_lso")
    return optimizer


def current_lr(optimizer) -> float:
    """The learning rate the optimizer uses at its current iteration."""
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    return float(keras.ops.convert_to_numpy(inner.learning_rate))
