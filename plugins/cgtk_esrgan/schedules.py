"""The reference learning-rate schedules, scaled to the run's length.

BasicSR states its schedules in iterations of a fixed run (ESRGAN: 400k iterations,
halving at 50k, 100k, 200k, 300k; the PSNR stage: cosine annealing restarted every
250k of 1M). Here the milestones are *fractions* of the run (``epochs x
steps_per_epoch``), so a short run keeps the reference's shape. Both derive from the
optimizer's iteration count, so they survive resume.

>>> s = MultiStep(1e-4, (0.5,), 0.5, total_steps=10)
>>> [round(float(s(i)) / 1e-4, 3) for i in (0, 4, 5, 9)]
[1.0, 1.0, 0.5, 0.5]
>>> c = CosineRestarts(2e-4, periods=2, eta_min=0.0, total_steps=8)
>>> [round(float(c(i)) / 2e-4, 3) for i in (0, 2, 4, 6)]
[1.0, 0.5, 1.0, 0.5]
"""
from __future__ import annotations

import math

import keras
from keras import ops

#: ESRGAN's MultiStepLR milestones (train_ESRGAN_x4.yml: 50k, 100k, 200k, 300k of 400k).
ESRGAN_MILESTONES = (0.125, 0.25, 0.5, 0.75)
ESRGAN_GAMMA = 0.5
#: The PSNR stage's CosineAnnealingRestartLR (train_RRDBNet_PSNR_x4.yml: 4 x 250k, 1e-7).
PSNR_PERIODS = 4
PSNR_ETA_MIN = 1e-7


class MultiStep(keras.optimizers.schedules.LearningRateSchedule):
    """``lr * gamma ** (number of milestones passed)``; milestones are run fractions."""

    def __init__(self, lr, milestones=ESRGAN_MILESTONES, gamma=ESRGAN_GAMMA, total_steps=1):
        self.lr, self.gamma = float(lr), float(gamma)
        self.milestones = tuple(float(m) for m in milestones)
        self.total_steps = max(1, int(total_steps))
        self.steps = [int(round(m * self.total_steps)) for m in self.milestones]

    def __call__(self, step):
        step = ops.cast(step, "int32")
        passed = ops.zeros((), "float32")
        for m in self.steps:
            passed = passed + ops.cast(ops.greater_equal(step, m), "float32")
        return self.lr * ops.power(self.gamma, passed)

    def get_config(self):
        return {"lr": self.lr, "milestones": self.milestones, "gamma": self.gamma,
                "total_steps": self.total_steps}


class CosineRestarts(keras.optimizers.schedules.LearningRateSchedule):
    """Cosine annealing from ``lr`` to ``eta_min`` over each of ``periods`` equal periods."""

    def __init__(self, lr, periods=PSNR_PERIODS, eta_min=PSNR_ETA_MIN, total_steps=1):
        self.lr, self.eta_min = float(lr), float(eta_min)
        self.periods = max(1, int(periods))
        self.total_steps = max(1, int(total_steps))
        self.period = max(1, self.total_steps // self.periods)

    def __call__(self, step):
        t = ops.cast(ops.mod(ops.cast(step, "int32"), self.period), "float32")
        cos = ops.cos(math.pi * t / float(self.period))
        return self.eta_min + 0.5 * (self.lr - self.eta_min) * (1.0 + cos)

    def get_config(self):
        return {"lr": self.lr, "periods": self.periods, "eta_min": self.eta_min,
                "total_steps": self.total_steps}


def adam_with(schedule_cls, config, phase_lr, beta_1, beta_2, name, **kwargs):
    """A ``Phase(optimizer=...)`` callable: Adam on ``schedule_cls`` over the whole run.

    The engine hands the callable its own per-epoch schedule; only its
    ``steps_per_epoch`` is used, to scale the reference's milestones to the run.
    """
    def make(engine_schedule):
        total = int(getattr(engine_schedule, "steps_per_epoch", 1)) * int(config.epochs)
        return keras.optimizers.Adam(
            learning_rate=schedule_cls(phase_lr, total_steps=total, **kwargs),
            beta_1=beta_1, beta_2=beta_2, name=name)
    return make
