"""The plain baselines' CycleGAN losses (keras-io's, on ``keras.ops`` only, so the
TensorFlow and the JAX baseline share them; importing this needs no TensorFlow)."""
from __future__ import annotations

from keras import ops

LAMBDA_CYCLE = 10.0
LAMBDA_IDENTITY = 0.5


def generator_loss_fn(fake):
    return ops.mean(ops.square(fake - 1.0))  # LSGAN: MSE to ones


def discriminator_loss_fn(real, fake):
    real_loss = ops.mean(ops.square(real - 1.0))
    fake_loss = ops.mean(ops.square(fake))
    return (real_loss + fake_loss) * 0.5


def cycle_loss_fn(real, cycled):
    return ops.mean(ops.abs(real - cycled))


def identity_loss_fn(real, same):
    return ops.mean(ops.abs(real - same))
