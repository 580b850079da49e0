"""Per-phase learning-rate schedules that derive from the optimizer's iteration
count, so they survive resume without any extra state.

>>> s = EpochSchedule(2e-4, "linear_decay", steps_per_epoch=10, n_epochs=3, n_epochs_decay=3)
>>> [round(float(s(i * 10)) / 2e-4, 3) for i in range(6)]
[1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
>>> e = EpochSchedule(2e-4, "linear_decay_end", steps_per_epoch=10, n_epochs=3, n_epochs_decay=3)
>>> [round(float(e(i * 10)) / 2e-4, 3) for i in range(6)]
[1.0, 1.0, 1.0, 0.75, 0.5, 0.25]
"""
from __future__ import annotations

import keras
from keras import ops


def decay_epochs(config) -> tuple[int, int]:
    """(n_epochs, n_epochs_decay) for linear_decay; defaults split ``epochs`` in half."""
    n = config.n_epochs if config.n_epochs is not None else config.epochs // 2
    d = config.n_epochs_decay if config.n_epochs_decay is not None else config.epochs - n
    return int(n), int(d)


class EpochSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """A learning rate that changes per epoch, computed from the step count.

    * ``constant``: ``lr`` throughout.
    * ``linear_decay``: the CycleGAN/pix2pix reference exactly. Its ``lambda_rule(k) =
      1 - max(0, k + epoch_count - n_epochs) / (n_epochs_decay + 1)`` (``epoch_count=1``)
      is a ``LambdaLR`` that ``train.py`` steps at the *start* of every epoch, so its
      1-based epoch ``E`` trains at ``lambda_rule(E)``. During cgtk's 0-based epoch ``e``
      the rate is ``lr * (1 - max(0, e + 2 - n_epochs) / (n_epochs_decay + 1))``: for
      100 + 100 epochs, 99 at the full rate, then down to exactly 0 in the last one.
    * ``linear_decay_end``: the same rule stepped at the *end* of every epoch (CUT's
      ``train.py``, and the CycleGAN reference before 2020): ``lr * (1 - max(0, e + 1 -
      n_epochs) / (n_epochs_decay + 1))``, ``n_epochs`` at the full rate, the last
      epoch at ``lr / (n_epochs_decay + 1)``.
    * ``step``: ``lr * gamma ** (e // step_epochs)``.
    """

    def __init__(self, lr, policy="constant", steps_per_epoch=1, n_epochs=100,
                 n_epochs_decay=100, step_epochs=50, gamma=0.1):
        self.lr = float(lr)
        self.policy = policy
        self.steps_per_epoch = max(1, int(steps_per_epoch))
        self.n_epochs = int(n_epochs)
        self.n_epochs_decay = int(n_epochs_decay)
        self.step_epochs = max(1, int(step_epochs))
        self.gamma = float(gamma)

    def __call__(self, step):
        epoch = ops.floor_divide(ops.cast(step, "int32"), self.steps_per_epoch)  # int64 warns on JAX
        epoch = ops.cast(epoch, "float32")
        if self.policy == "constant":
            factor = ops.ones_like(epoch)
        elif self.policy in ("linear_decay", "linear_decay_end"):
            shift = 2.0 if self.policy == "linear_decay" else 1.0
            over = ops.maximum(0.0, epoch + shift - self.n_epochs)
            factor = 1.0 - over / float(self.n_epochs_decay + 1)
            factor = ops.maximum(factor, 0.0)
        elif self.policy == "step":
            factor = ops.power(self.gamma, ops.floor(epoch / self.step_epochs))
        else:
            raise ValueError(f"unknown lr policy {self.policy!r}")
        return self.lr * factor

    def get_config(self):
        return {"lr": self.lr, "policy": self.policy, "steps_per_epoch": self.steps_per_epoch,
                "n_epochs": self.n_epochs, "n_epochs_decay": self.n_epochs_decay,
                "step_epochs": self.step_epochs, "gamma": self.gamma}


def schedule_for(phase, config, steps_per_epoch: int) -> EpochSchedule:
    n, d = decay_epochs(config)
    return EpochSchedule(
        phase.lr, phase.schedule or config.lr_policy, steps_per_epoch=steps_per_epoch,
        n_epochs=n, n_epochs_decay=d, step_epochs=config.lr_step_epochs, gamma=config.lr_gamma)
