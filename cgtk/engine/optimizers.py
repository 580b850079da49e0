"""One optimizer per phase: Adam (or the phase's own), its schedule, and loss
scaling under ``mixed_float16``."""
from __future__ import annotations

import keras

from cgtk.engine.schedules import schedule_for


def make_optimizer(phase, config, steps_per_epoch: int):
    """Build (not yet on variables) the optimizer for ``phase``."""
    schedule = schedule_for(phase, config, steps_per_epoch)
    if callable(phase.optimizer):
        optimizer = phase.optimizer(schedule)
    elif phase.optimizer == "adam":
        optimizer = keras.optimizers.Adam(
            learning_rate=schedule, beta_1=phase.beta_1, beta_2=phase.beta_2,
            name=f"{phase.name}_adam")
    else:
        raise ValueError(f"phase '{phase.name}': unknown optimizer {phase.optimizer!r}")
    if keras.config.dtype_policy().name == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer, name=f"{phase.name}_lso")
    return optimizer


def current_lr(optimizer) -> float:
    """The learning rate the optimizer uses at its current iteration."""
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    return float(keras.ops.convert_to_numpy(inner.learning_rate))
