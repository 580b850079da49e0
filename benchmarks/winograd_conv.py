"""Winograd F(2x2, 3x3) written in TensorFlow ops vs TensorFlow's direct convolution.

A measured lever for the float32 CPU goal (benchmarks/RESULTS.md, "Levers tried"): the
ResNet blocks' 3x3, 256-channel convs are ~88% of a CycleGAN step's FLOPs and already run
at the CPU's matmul rate, so only fewer multiplies could make them faster. Winograd
F(2x2, 3x3) needs 16 multiplies per 2x2 output tile instead of 36 (2.25 x fewer); this
script checks whether that survives the tile transforms when they are ordinary ops.

* input tiles (4x4, stride 2) come from a row-pair reshape and slices, transformed with
  ``B^T d B`` by additions; the filter transform ``G g G^T`` is one einsum;
* the 16 products are one batched matmul ``[16, tiles, C] x [16, C, K]``;
* the output transform ``A^T m A`` is additions and a reshape back to ``[N, H, W, K]``.

Both take the reflection-padded input ("VALID" conv, as cgtk's ResNet blocks do), so
``H`` and ``W`` must be even. Prints the maximum relative difference and, per case, the
median time of the forward pass and of forward + both gradients (``tf.function``).

    python benchmarks/winograd_conv.py --size 32 --channels 256 --calls 30
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

G = np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]], np.float32)


def _tile_transform(x, axis: int) -> list:
    """``B^T`` along ``axis`` (1 rows, 2 columns) of the 4-wide, stride-2 tiles of ``x``."""
    n, h, w, c = tf.shape(x)[0], x.shape[1], x.shape[2], x.shape[3]
    if axis == 1:
        pairs = tf.reshape(x, [n, h // 2, 2, w, c])
        r0, r1, r2, r3 = pairs[:, :-1, 0], pairs[:, :-1, 1], pairs[:, 1:, 0], pairs[:, 1:, 1]
    else:
        pairs = tf.reshape(x, [n, h, w // 2, 2, c])
        r0, r1 = pairs[:, :, :-1, 0], pairs[:, :, :-1, 1]
        r2, r3 = pairs[:, :, 1:, 0], pairs[:, :, 1:, 1]
    return [r0 - r2, r1 + r2, r2 - r1, r1 - r3]


def winograd_conv(padded, kernel):
    """3x3 "VALID" convolution of ``padded`` [N, H+2, W+2, C] (H, W even) by ``kernel``
    [3, 3, C, K] with Winograd F(2x2, 3x3)."""
    n = tf.shape(padded)[0]
    t, u, c = (padded.shape[1] - 2) // 2, (padded.shape[2] - 2) // 2, padded.shape[3]
    k = kernel.shape[3]
    tiles = [col for row in _tile_transform(padded, 1) for col in _tile_transform(row, 2)]
    v = tf.reshape(tf.stack(tiles, 0), [16, -1, c])
    filt = tf.reshape(tf.einsum("ai,ijck,bj->abck", G, kernel, G), [16, c, k])
    m = tf.reshape(tf.matmul(v, filt), [4, 4, n, t, u, k])
    rows = (m[0] + m[1] + m[2], m[1] - m[2] - m[3])
    out = [tf.stack([r[0] + r[1] + r[2], r[1] - r[2] - r[3]], 3) for r in rows]
    return tf.reshape(tf.stack(out, 2), [n, 2 * t, 2 * u, k])


def direct_conv(padded, kernel):
    return tf.nn.conv2d(padded, kernel, 1, "VALID")


def time_case(conv, padded, kernel, calls: int) -> tuple[float, float]:
    """Median ms of the forward pass and of forward + input and filter gradients."""
    @tf.function
    def forward(x, w):
        return conv(x, w)

    @tf.function
    def with_gradients(x, w):
        with tf.GradientTape() as tape:
            tape.watch([x, w])
            y = conv(x, w)
            loss = tf.reduce_sum(y * y)
        return (loss, *tape.gradient(loss, [x, w]))

    def median_ms(fn):
        for _ in range(3):
            np.asarray(fn(padded, kernel)[0])
        times = []
        for _ in range(calls):
            t0 = time.perf_counter()
            np.asarray(fn(padded, kernel)[0])
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1e3

    return median_ms(forward), median_ms(with_gradients)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=32, help="output height and width (even)")
    p.add_argument("--channels", type=int, default=256)
    p.add_argument("--calls", type=int, default=30)
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds per case")
    a = p.parse_args()
    if a.size % 2:
        p.error("--size must be even")
    rng = np.random.default_rng(0)
    padded = tf.constant(rng.standard_normal((1, a.size + 2, a.size + 2, a.channels)), tf.float32)
    kernel = tf.constant(rng.standard_normal((3, 3, a.channels, a.channels)) * 0.05, tf.float32)
    ref, got = direct_conv(padded, kernel), winograd_conv(padded, kernel)
    rel = float(tf.reduce_max(tf.abs(ref - got)) / tf.reduce_max(tf.abs(ref)))
    print(f"{a.size}x{a.size}x{a.channels}: max |winograd - direct| / max |direct| = {rel:.2g}")
    for _ in range(a.rounds):
        for name, conv in (("direct", direct_conv), ("winograd", winograd_conv)):
            fwd, both = time_case(conv, padded, kernel, a.calls)
            print(f"{name:9s} forward {fwd:8.2f} ms   forward + both gradients {both:8.2f} ms")


if __name__ == "__main__":
    main()
