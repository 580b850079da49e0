"""A plain Keras CycleGAN, written the way the keras-io CycleGAN example writes it
(https://keras.io/examples/generative/cyclegan/), as the baseline for cgtk's step.

What is the same as cgtk's CycleGAN (so the comparison is about the training step only):
the networks (``cgtk.nn.resnet_generator`` / ``cgtk.nn.patch_discriminator``, instance
norm, the same widths), the losses (LSGAN, lambda_cycle 10 on both cycles, identity
0.5 x lambda_cycle, discriminator loss x 0.5), Adam(2e-4, beta_1 0.5), the batch.

What is "plain" (keras-io's approach, replicated faithfully):

* a ``keras.Model`` subclass whose ``train_step`` opens **one**
  ``tf.GradientTape(persistent=True)``, runs all six generator passes (fake, cycled,
  same/identity for G and F) and the four discriminator passes (real and fake for each
  D, on the *undetached* fakes) inside it, computes all four losses there, then calls
  ``tape.gradient`` **four times** (G, F, D_X, D_Y); each call is a separate backward
  pass through the recorded graph, and because keras-io adds *both* cycle losses to both
  generator losses, the G and F backward passes each go through both generators;
* no XLA (``jit_compile=False``), float32, no image pool (keras-io has none);
* ``variant="rerun"`` (not keras-io's, but the other common plain layout): a generator
  tape, then a second tape for the discriminators that **runs G and F again** to get the
  fakes (no reuse of the first tape's outputs).

In keras-io the discriminators do not need the generators rerun (their fakes are on the
persistent tape); the duplication there is in the backward passes. cgtk instead runs one
tape per phase, computes each gradient once and feeds the phase-1 fakes (through a
50-image pool) to the discriminator phase.

    python benchmarks/baseline_cyclegan_keras.py --image-size 128 --steps 3
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from cyclegan_losses import (  # noqa: E402
    LAMBDA_CYCLE,
    LAMBDA_IDENTITY,
    cycle_loss_fn,
    discriminator_loss_fn,
    generator_loss_fn,
    identity_loss_fn,
)

from cgtk import nn  # noqa: E402


class CycleGan(keras.Model):
    """keras-io's ``CycleGan`` model, on cgtk's networks."""

    def __init__(self, generator_G, generator_F, discriminator_X, discriminator_Y,
                 lambda_cycle=LAMBDA_CYCLE, lambda_identity=LAMBDA_IDENTITY, variant="kerasio"):
        super().__init__()
        self.gen_G = generator_G
        self.gen_F = generator_F
        self.disc_X = discriminator_X
        self.disc_Y = discriminator_Y
        self.lambda_cycle = lambda_cycle
        self.lambda_identity = lambda_identity
        self.variant = variant

    def compile(self, gen_G_optimizer, gen_F_optimizer, disc_X_optimizer, disc_Y_optimizer):
        super().compile(jit_compile=False)
        self.gen_G_optimizer = gen_G_optimizer
        self.gen_F_optimizer = gen_F_optimizer
        self.disc_X_optimizer = disc_X_optimizer
        self.disc_Y_optimizer = disc_Y_optimizer

    def train_step(self, batch_data):
        if self.variant == "rerun":
            return self._train_step_rerun(batch_data)
        real_x, real_y = batch_data
        with tf.GradientTape(persistent=True) as tape:
            fake_y = self.gen_G(real_x, training=True)
            fake_x = self.gen_F(real_y, training=True)
            cycled_x = self.gen_F(fake_y, training=True)
            cycled_y = self.gen_G(fake_x, training=True)
            same_x = self.gen_F(real_x, training=True)
            same_y = self.gen_G(real_y, training=True)
            disc_real_x = self.disc_X(real_x, training=True)
            disc_fake_x = self.disc_X(fake_x, training=True)
            disc_real_y = self.disc_Y(real_y, training=True)
            disc_fake_y = self.disc_Y(fake_y, training=True)
            gen_G_loss = generator_loss_fn(disc_fake_y)
            gen_F_loss = generator_loss_fn(disc_fake_x)
            cycle_loss_G = cycle_loss_fn(real_y, cycled_y) * self.lambda_cycle
            cycle_loss_F = cycle_loss_fn(real_x, cycled_x) * self.lambda_cycle
            id_loss_G = (identity_loss_fn(real_y, same_y) * self.lambda_cycle
                         * self.lambda_identity)
            id_loss_F = (identity_loss_fn(real_x, same_x) * self.lambda_cycle
                         * self.lambda_identity)
            total_loss_G = gen_G_loss + cycle_loss_G + cycle_loss_F + id_loss_G
            total_loss_F = gen_F_loss + cycle_loss_G + cycle_loss_F + id_loss_F
            disc_X_loss = discriminator_loss_fn(disc_real_x, disc_fake_x)
            disc_Y_loss = discriminator_loss_fn(disc_real_y, disc_fake_y)
        grads_G = tape.gradient(total_loss_G, self.gen_G.trainable_variables)
        grads_F = tape.gradient(total_loss_F, self.gen_F.trainable_variables)
        disc_X_grads = tape.gradient(disc_X_loss, self.disc_X.trainable_variables)
        disc_Y_grads = tape.gradient(disc_Y_loss, self.disc_Y.trainable_variables)
        self.gen_G_optimizer.apply_gradients(zip(grads_G, self.gen_G.trainable_variables, strict=True))
        self.gen_F_optimizer.apply_gradients(zip(grads_F, self.gen_F.trainable_variables, strict=True))
        self.disc_X_optimizer.apply_gradients(zip(disc_X_grads, self.disc_X.trainable_variables, strict=True))
        self.disc_Y_optimizer.apply_gradients(zip(disc_Y_grads, self.disc_Y.trainable_variables, strict=True))
        return {"G_loss": total_loss_G, "F_loss": total_loss_F, "D_X_loss": disc_X_loss,
                "D_Y_loss": disc_Y_loss}

    def _train_step_rerun(self, batch_data):
        real_x, real_y = batch_data
        with tf.GradientTape() as tape:
            fake_y = self.gen_G(real_x, training=True)
            fake_x = self.gen_F(real_y, training=True)
            cycled_x = self.gen_F(fake_y, training=True)
            cycled_y = self.gen_G(fake_x, training=True)
            same_x = self.gen_F(real_x, training=True)
            same_y = self.gen_G(real_y, training=True)
            cycle = (cycle_loss_fn(real_y, cycled_y) + cycle_loss_fn(real_x, cycled_x)) \
                * self.lambda_cycle
            identity = (identity_loss_fn(real_y, same_y) + identity_loss_fn(real_x, same_x)) \
                * self.lambda_cycle * self.lambda_identity
            g_loss = (generator_loss_fn(self.disc_Y(fake_y, training=True))
                      + generator_loss_fn(self.disc_X(fake_x, training=True)) + cycle + identity)
        gen_vars = self.gen_G.trainable_variables + self.gen_F.trainable_variables
        grads = tape.gradient(g_loss, gen_vars)
        self.gen_G_optimizer.apply_gradients(zip(grads, gen_vars, strict=True))
        with tf.GradientTape() as tape:
            fake_y = self.gen_G(real_x, training=True)  # generators run again: no reuse
            fake_x = self.gen_F(real_y, training=True)
            d_loss = (discriminator_loss_fn(self.disc_X(real_x, training=True),
                                            self.disc_X(fake_x, training=True))
                      + discriminator_loss_fn(self.disc_Y(real_y, training=True),
                                              self.disc_Y(fake_y, training=True)))
        disc_vars = self.disc_X.trainable_variables + self.disc_Y.trainable_variables
        grads = tape.gradient(d_loss, disc_vars)
        self.disc_X_optimizer.apply_gradients(zip(grads, disc_vars, strict=True))
        return {"G_loss": g_loss, "D_loss": d_loss}


def build_baseline(ngf=64, ndf=64, n_blocks=9, variant="kerasio") -> CycleGan:
    """The baseline model, compiled with keras-io's optimizers (Adam 2e-4, beta_1 0.5)."""
    def gen(name):
        return nn.resnet_generator(ngf=ngf, n_blocks=n_blocks, name=name)

    def disc(name):
        return nn.patch_discriminator(3, ndf=ndf, name=name)

    model = CycleGan(gen("generator_G"), gen("generator_F"), disc("discriminator_X"),
                     disc("discriminator_Y"), variant=variant)

    def adam():
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)

    model.compile(adam(), adam(), adam(), adam())
    if variant == "rerun":  # one optimizer per phase (variables of both networks)
        model.disc_X_optimizer.build(model.disc_X.trainable_variables
                                     + model.disc_Y.trainable_variables)
        model.gen_G_optimizer.build(model.gen_G.trainable_variables
                                    + model.gen_F.trainable_variables)
    return model


class BaselineCase:
    """The baseline's step as a bench case (``run(n)``/``wait``), compiled as keras-io's
    ``fit`` would: ``tf.function(train_step, jit_compile=False)``."""

    def __init__(self, model: CycleGan, batch):
        self.model = model
        self.batch = tuple(tf.convert_to_tensor(x) for x in batch)
        self.images = int(self.batch[0].shape[0])
        self._step = tf.function(model.train_step, jit_compile=False)

    def run(self, n: int):
        logs = None
        for _ in range(n):
            logs = self._step(self.batch)
        return logs

    def wait(self, logs) -> None:
        {k: float(v) for k, v in logs.items()}


def main() -> None:
    from cgtk.bench.runner import time_interleaved
    from cgtk.bench.synthetic import synthetic_batch

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--ngf", type=int, default=64)
    p.add_argument("--n-blocks", type=int, default=9)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--variant", choices=("kerasio", "rerun"), default="kerasio")
    a = p.parse_args()
    batch, _ = synthetic_batch("unpaired", a.batch_size, a.image_size)
    case = BaselineCase(build_baseline(a.ngf, a.ngf, a.n_blocks, a.variant), batch)
    t0 = time.perf_counter()
    r = time_interleaved({"baseline": case}, steps=a.steps, repeats=a.repeats, warmup=2)
    print(f"baseline ({a.variant}): {r['baseline']['ms_per_step']:.1f} ms/step "
          f"(all {[round(x, 1) for x in r['baseline']['ms_all']]}), "
          f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
