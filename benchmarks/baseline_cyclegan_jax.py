"""A plain Keras-on-JAX CycleGAN step, as the Keras guides write a custom JAX training
step (``stateless_call`` + ``jax.value_and_grad`` + ``optimizer.stateless_apply``, one
``jax.jit``), as the GPU peer "plain Keras-on-JAX CycleGAN" of the performance issue.

Same networks (``cgtk.nn``), losses (LSGAN, lambda_cycle 10 on both cycles, identity
0.5 x lambda_cycle, discriminator loss x 0.5), Adam(2e-4, beta_1 0.5) and batch as cgtk's
CycleGAN. Plain in the usual ways: no image pool; one ``value_and_grad`` for both
generators, then the discriminator step **runs the generators again** (with their
updated weights) to get its fakes, as the Keras JAX GAN guide does.

``memory`` reports XLA's planned buffers for the compiled step
(``compile().memory_analysis()``) without running it, so the plain step and cgtk's can be
compared at a batch size that would not fit:

    KERAS_BACKEND=jax python benchmarks/baseline_cyclegan_jax.py --image-size 256 \\
        --batch-size 4 --precision mixed_bfloat16 --memory
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cyclegan_losses import (  # noqa: E402
    LAMBDA_CYCLE,
    LAMBDA_IDENTITY,
    cycle_loss_fn,
    discriminator_loss_fn,
    generator_loss_fn,
    identity_loss_fn,
)


class PlainJaxCycleGAN:
    """Networks, optimizers and the jitted step; ``state`` is every variable's value."""

    def __init__(self, ngf=64, ndf=64, n_blocks=9):
        import keras

        from cgtk import nn

        self.nets = {"G": nn.resnet_generator(ngf=ngf, n_blocks=n_blocks, name="G"),
                     "F": nn.resnet_generator(ngf=ngf, n_blocks=n_blocks, name="F"),
                     "D_X": nn.patch_discriminator(3, ndf=ndf, name="D_X"),
                     "D_Y": nn.patch_discriminator(3, ndf=ndf, name="D_Y")}
        self.opt_g = keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.opt_d = keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.opt_g.build(self._trainable("G", "F"))
        self.opt_d.build(self._trainable("D_X", "D_Y"))

    def _trainable(self, *names):
        return [v for n in names for v in self.nets[n].trainable_variables]

    def state(self):
        tv = {n: [v.value for v in net.trainable_variables] for n, net in self.nets.items()}
        ntv = {n: [v.value for v in net.non_trainable_variables]
               for n, net in self.nets.items()}
        return (tv, ntv, [v.value for v in self.opt_g.variables],
                [v.value for v in self.opt_d.variables])

    def step_fn(self):
        import jax
        from keras import ops

        nets = self.nets

        def call(name, tv, ntv, x):
            out, new_ntv = nets[name].stateless_call(tv[name], ntv[name], x, training=True)
            return ops.cast(out, "float32"), new_ntv

        def g_loss(g_vars, tv, ntv, real_x, real_y):
            tv = {**tv, "G": g_vars[0], "F": g_vars[1]}
            fake_y, _ = call("G", tv, ntv, real_x)
            fake_x, _ = call("F", tv, ntv, real_y)
            cycled_x, _ = call("F", tv, ntv, fake_y)
            cycled_y, _ = call("G", tv, ntv, fake_x)
            same_x, _ = call("F", tv, ntv, real_x)
            same_y, _ = call("G", tv, ntv, real_y)
            d_fake_y, _ = call("D_Y", tv, ntv, fake_y)
            d_fake_x, _ = call("D_X", tv, ntv, fake_x)
            adv = generator_loss_fn(d_fake_y) + generator_loss_fn(d_fake_x)
            cycle = (cycle_loss_fn(real_x, cycled_x)
                     + cycle_loss_fn(real_y, cycled_y)) * LAMBDA_CYCLE
            ident = (identity_loss_fn(real_x, same_x) + identity_loss_fn(real_y, same_y)) \
                * LAMBDA_CYCLE * LAMBDA_IDENTITY
            return adv + cycle + ident

        def d_loss(d_vars, tv, ntv, real_x, real_y):
            tv = {**tv, "D_X": d_vars[0], "D_Y": d_vars[1]}
            fake_y, _ = call("G", tv, ntv, real_x)     # generators run again
            fake_x, _ = call("F", tv, ntv, real_y)
            fake_y, fake_x = jax.lax.stop_gradient(fake_y), jax.lax.stop_gradient(fake_x)
            loss = 0.0
            for d, real, fake in (("D_X", real_x, fake_x), ("D_Y", real_y, fake_y)):
                loss = loss + discriminator_loss_fn(call(d, tv, ntv, real)[0],
                                                    call(d, tv, ntv, fake)[0])
            return loss

        opt_g, opt_d = self.opt_g, self.opt_d

        def step(state, batch):
            tv, ntv, og, od = state
            real_x, real_y = batch
            gl, grads = jax.value_and_grad(g_loss)((tv["G"], tv["F"]), tv, ntv, real_x, real_y)
            new_g, og = opt_g.stateless_apply(og, grads[0] + grads[1], tv["G"] + tv["F"])
            n = len(tv["G"])
            tv = {**tv, "G": new_g[:n], "F": new_g[n:]}
            dl, grads = jax.value_and_grad(d_loss)((tv["D_X"], tv["D_Y"]), tv, ntv, real_x,
                                                   real_y)
            new_d, od = opt_d.stateless_apply(od, grads[0] + grads[1], tv["D_X"] + tv["D_Y"])
            m = len(tv["D_X"])
            tv = {**tv, "D_X": new_d[:m], "D_Y": new_d[m:]}
            return {"G_loss": gl, "D_loss": dl}, (tv, ntv, og, od)

        return jax.jit(step, donate_argnums=(0,))


class PlainJaxCase:
    """The plain step as a bench case (``run(n)`` / ``wait``)."""

    def __init__(self, model: PlainJaxCycleGAN, batch):
        import jax

        self.step = model.step_fn()
        self.state = model.state()
        self.batch = tuple(jax.device_put(x) for x in batch)
        self.images = int(batch[0].shape[0])

    def run(self, n: int):
        logs = None
        for _ in range(n):
            logs, self.state = self.step(self.state, self.batch)
        return logs

    def wait(self, logs) -> None:
        {k: float(v) for k, v in logs.items()}

    def memory(self) -> dict:
        """XLA's planned buffers of the compiled step, in bytes."""
        return memory_analysis(self.step, self.state, self.batch)


def memory_analysis(jitted, *args) -> dict:
    """``{temp, argument, output}`` bytes XLA plans for ``jitted(*args)`` (not run)."""
    m = jitted.lower(*args).compile().memory_analysis()
    return {"temp_bytes": int(m.temp_size_in_bytes),
            "argument_bytes": int(m.argument_size_in_bytes),
            "output_bytes": int(m.output_size_in_bytes)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image-size", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--ngf", type=int, default=64)
    p.add_argument("--n-blocks", type=int, default=9)
    p.add_argument("--precision", default="float32")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--memory", action="store_true",
                   help="print XLA's planned memory of the plain step and cgtk's; no timing")
    a = p.parse_args()

    import keras

    from cgtk.bench.runner import TrainCase, build_model, resolve, time_interleaved
    from cgtk.bench.synthetic import synthetic_batch

    keras.config.set_dtype_policy(a.precision)
    batch, _ = synthetic_batch("unpaired", a.batch_size, a.image_size)
    cases = {"plain_jax": PlainJaxCase(PlainJaxCycleGAN(a.ngf, a.ngf, a.n_blocks), batch)}
    info, config = resolve("cyclegan", backend="jax",
                           sets=[f"ngf={a.ngf}", f"ndf={a.ngf}", f"n_blocks={a.n_blocks}"],
                           image_size=a.image_size, batch_size=a.batch_size,
                           precision=a.precision)
    cases["cgtk"] = TrainCase(build_model(info.cls, config, jit=True))
    if a.memory:
        plain = cases["plain_jax"].memory()
        stepper = cases["cgtk"].stepper
        ours = memory_analysis(stepper._step, stepper.state, cases["cgtk"].batch)
        for name, m in (("plain_jax", plain), ("cgtk", ours)):
            print(f"{name:10s} temp {m['temp_bytes'] / 2**20:9.0f} MiB  arguments "
                  f"{m['argument_bytes'] / 2**20:7.0f} MiB  ({a.precision}, batch "
                  f"{a.batch_size}, {a.image_size} px)")
        return
    t0 = time.perf_counter()
    r = time_interleaved(cases, steps=a.steps, repeats=a.repeats, warmup=2)
    for name, v in r.items():
        print(f"{name:10s} {v['ms_per_step']:9.1f} ms/step  "
              f"{a.batch_size / v['ms_per_step'] * 1000:.3g} img/s  "
              f"x{v['ms_per_step'] / r['plain_jax']['ms_per_step']:.3f} of plain  "
              f"all {[round(x, 1) for x in v['ms_all']]}")
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
