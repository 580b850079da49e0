"""How fast could a CycleGAN step be on this machine? The convolution floor.

Every CycleGAN implementation of the same architecture must run the same convolutions
per training step: forward passes, input gradients and filter gradients, each a
oneDNN kernel on a TensorFlow CPU. This script times each of those kernels **alone**
(one at a time, at the step's exact shapes, TensorFlow's default threading, float32,
no XLA) and adds them up with the number of times a step needs each. The sum is a
floor for any implementation that uses TensorFlow's convolutions: only everything
*else* in a step (norms, padding, activations, the optimizer, scheduling) is left to
optimise. Dividing the floor by the baseline's measured step gives the best ratio a
toolkit can reach against it in float32.

It also reports the arithmetic floor: the step's FLOPs at this machine's measured fp32
matrix-multiply rate (a large ``tf.matmul``), i.e. every convolution at the best rate
the CPU reaches at all.

Convolution calls per CycleGAN step (identity loss on; ``cgtk.bench.flops`` counts the
same): generator phase, 6 generator calls (G x3, F x3) with forward, filter gradients
and input gradients (not of the first layer when its input is a data image: 4 of the 6
calls) and 2 discriminator calls with forward and input gradients; discriminator
phase, 4 discriminator calls with forward, filter gradients and input gradients (not of
the first layer).

    python benchmarks/conv_floor.py --image-size 128 --baseline-ms 2964 --cgtk-ms 2995
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _median_ms(fn, steps: int, repeats: int) -> float:
    fn()
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            out = fn()
        out.numpy()
        times.append((time.perf_counter() - t0) / steps * 1e3)
    return statistics.median(times)


def conv_layers(network, image_size: int):
    """``[(layer, input_shape)]`` of every conv layer, at an input of ``image_size``."""
    import keras

    convs = [layer for layer in network.layers
             if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))]
    probe = keras.Model(network.inputs, [layer.input for layer in convs])
    shapes = probe(keras.ops.zeros((1, image_size, image_size, 3)))
    return [(layer, tuple(x.shape)) for layer, x in zip(convs, shapes)]


def kernels(layer, shape) -> dict:
    """The forward, input-gradient and filter-gradient kernels of ``layer`` at ``shape``,
    as TensorFlow functions of a scale ``c`` applied to their (fixed, random) input: each
    call with its own ``c`` is a distinct op, so no graph optimiser merges repeated calls."""
    import tensorflow as tf

    x = tf.random.normal(shape)
    kernel = layer.kernel
    strides = layer.strides
    transposed = "Transpose" in type(layer).__name__
    y = layer(x)
    dy = tf.random.normal(y.shape)
    s = [1, *strides, 1]
    if transposed:  # forward = backprop-input of a conv; its input grad = a conv
        def forward(c):
            return tf.nn.conv2d_transpose(x * c, kernel, y.shape, s, "VALID")

        def input_grad(c):
            return tf.nn.conv2d(dy * c, kernel, s, "VALID")

        def filter_grad(c):
            return tf.raw_ops.Conv2DBackpropFilter(
                input=dy * c, filter_sizes=kernel.shape, out_backprop=x, strides=s,
                padding="VALID")
    else:
        def forward(c):
            return tf.nn.conv2d(x * c, kernel, s, "VALID")

        def input_grad(c):
            return tf.raw_ops.Conv2DBackpropInput(
                input_sizes=shape, filter=kernel, out_backprop=dy * c, strides=s,
                padding="VALID")

        def filter_grad(c):
            return tf.raw_ops.Conv2DBackpropFilter(
                input=x * c, filter_sizes=kernel.shape, out_backprop=dy, strides=s,
                padding="VALID")
    return {"forward": forward, "input_grad": input_grad, "filter_grad": filter_grad}


def kernel_ms(fn, steps: int, repeats: int) -> float:
    """ms of one of :func:`kernels`, timed alone."""
    import tensorflow as tf

    return _median_ms(tf.function(lambda: fn(1.0)), steps, repeats)


def alone_floor_ms(fns, steps: int, repeats: int) -> float:
    """The kernels of ``fns`` timed one at a time (each distinct kernel once) and summed
    with their multiplicity in ``fns``."""
    times: dict = {}
    for fn in fns:
        if fn not in times:
            times[fn] = kernel_ms(fn, steps, repeats)
    return sum(times[fn] for fn in fns)


def step_kernels(g_convs, d_convs) -> list:
    """Every convolution kernel one CycleGAN step runs (see the module docstring)."""
    g = [kernels(layer, shape) for layer, shape in g_convs]
    d = [kernels(layer, shape) for layer, shape in d_convs]

    def call(net, input_grad_first: bool, filters: bool, input_grads: bool = True):
        out = [k["forward"] for k in net]
        if input_grads:
            out += [k["input_grad"] for k in (net if input_grad_first else net[1:])]
        if filters:
            out += [k["filter_grad"] for k in net]
        return out

    return (4 * call(g, False, True) + 2 * call(g, True, True)   # G x3, F x3
            + 2 * call(d, True, False)                            # D in the generator phase
            + 4 * call(d, False, True))                           # D phase: real, fake x2


def floor_graph(fns):
    """ONE compiled graph running every kernel of ``fns`` with no dependencies between
    them, so TensorFlow's executor overlaps them as it likes (at least as freely as in
    any real step, whose kernels depend on each other). Each kernel's input is scaled by
    its own constant first (an element-wise multiply per kernel, included in the time)."""
    import tensorflow as tf

    @tf.function(jit_compile=False)
    def everything():
        return tf.add_n([tf.reshape(fn(1.0 + i * 1e-6), [-1])[0]
                         for i, fn in enumerate(fns)])

    return everything


def cyclegan_kernels(image_size: int, ngf: int = 64, n_blocks: int = 9):
    """``(kernels of one step, G, D)`` for a CycleGAN of cgtk's networks."""
    from cgtk import nn

    g = nn.resnet_generator(ngf=ngf, n_blocks=n_blocks)
    d = nn.patch_discriminator(3, ndf=ngf)
    return step_kernels(conv_layers(g, image_size), conv_layers(d, image_size)), g, d


def graph_floor_ms(fns, steps: int, repeats: int) -> float:
    """ms of :func:`floor_graph`."""
    return _median_ms(floor_graph(fns), steps, repeats)


class FloorCase:
    """The convolution floor of a CycleGAN step as a bench case (``run(n)``/``wait``), so
    ``bench_cyclegan_vs_baseline.py --floor`` times it interleaved with the real steps."""

    def __init__(self, image_size: int, ngf: int = 64, n_blocks: int = 9):
        self._graph = floor_graph(cyclegan_kernels(image_size, ngf, n_blocks)[0])
        self.images = 1

    def run(self, n: int):
        out = None
        for _ in range(n):
            out = self._graph()
        return out

    def wait(self, out) -> None:
        out.numpy()


def matmul_gflops(steps: int, repeats: int) -> float:
    import tensorflow as tf

    n = 2048
    a, b = tf.random.normal([n, n]), tf.random.normal([n, n])
    ms = _median_ms(tf.function(lambda: tf.matmul(a, b)), steps, repeats)
    return 2 * n**3 / (ms / 1e3) / 1e9


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--ngf", type=int, default=64)
    p.add_argument("--n-blocks", type=int, default=9)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--baseline-ms", type=float, default=None,
                   help="the baseline's measured ms/step, to print the best reachable ratio")
    p.add_argument("--cgtk-ms", type=float, default=None, help="cgtk's measured ms/step")
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cgtk.bench import flops, machine

    fns, g, d = cyclegan_kernels(a.image_size, a.ngf, a.n_blocks)
    graph_floor = graph_floor_ms(fns, 1, a.repeats)
    floor = alone_floor_ms(fns, a.steps, a.repeats)
    gflops = (flops.network_flops(g, (a.image_size, a.image_size, 3))["flops"] * 18
              + flops.network_flops(d, (a.image_size, a.image_size, 3))["flops"] * 16)
    rate = matmul_gflops(a.steps, a.repeats)
    arithmetic_floor = gflops / 1e9 / rate * 1e3
    report = {
        "image_size": a.image_size, "ngf": a.ngf, "n_blocks": a.n_blocks,
        "conv_floor_ms": floor, "graph_floor_ms": graph_floor, "kernels_per_step": len(fns),
        "step_gflop": gflops / 1e9, "matmul_gflops_fp32": rate,
        "arithmetic_floor_ms": arithmetic_floor,
        "machine": machine.machine_info(), "versions": machine.versions(),
        "date": machine.now(), "command": " ".join(["python", *sys.argv]),
    }
    print(f"convolution floor of one step: {floor:.0f} ms "
          f"(the step's convolution kernels, each timed alone)")
    print(f"convolution floor, all of them in one graph (overlapped by the executor): "
          f"{graph_floor:.0f} ms")
    print(f"arithmetic floor: {gflops / 1e9:.0f} GFLOP at {rate:.0f} GFLOP/s "
          f"(fp32 2048^2 matmul) = {arithmetic_floor:.0f} ms")
    for name, ms in (("baseline", a.baseline_ms), ("cgtk", a.cgtk_ms)):
        if ms:
            report[f"{name}_ms"] = ms
            print(f"{name}: {ms:.0f} ms/step; the one-graph convolution floor is "
                  f"{100 * graph_floor / ms:.0f}% of it")
    if a.baseline_ms:
        report["best_ratio_conv_floor"] = floor / a.baseline_ms
        report["best_ratio_graph_floor"] = graph_floor / a.baseline_ms
        report["best_ratio_arithmetic_floor"] = arithmetic_floor / a.baseline_ms
        print(f"best reachable cgtk/baseline ratio in float32: "
              f"{graph_floor / a.baseline_ms:.2f} (one-graph convolution floor), "
              f"{floor / a.baseline_ms:.2f} (kernels alone), "
              f"{arithmetic_floor / a.baseline_ms:.2f} (arithmetic floor)")
    if a.out:
        a.out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
