"""Where the float32 inference time goes, layer by layer, in cgtk and in the PyTorch eager
re-statement of the same network: the profile behind issue 22's "float32 at >= 1.2x
torch eager, or what limits it is shown with a profile".

Each side runs one forward on the same input while every *leaf* layer (Keras) or leaf
module (torch) is recorded with its input. Then each leaf is timed on its own, on that
input, interleaved with its counterpart, for ``--rounds`` rounds:

* Keras: the layer in its own ``tf.function`` (``training=False``), output fetched;
* torch: the module under ``torch.inference_mode()`` (eager, so already computed).

The per-leaf medians are summed by kind (``conv 3x3``, ``conv 7x7``, ``conv transpose``,
``instance norm``, ``activation``, ``padding``, ``add``...), beside the whole forward of
each network (``sig`` and torch, as in ``bench_infer_vs_torch.py``). One call per leaf
adds a little dispatch overhead on both sides, so the per-kind sums are a little above the
whole forwards; the *ratios* per kind show which kernels hold cgtk back. torch's
residual additions and crops are not modules, so ``add`` and ``Cropping2D`` have no torch
row (their cost is inside torch's whole forward).

    python benchmarks/profile_infer_layers.py --case resnet256 --threads 2 --rounds 3
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_infer_vs_torch as vs  # noqa: E402


def keras_kind(layer) -> str:
    import keras

    name = type(layer).__name__
    if isinstance(layer, keras.layers.Conv2DTranspose):
        return "conv transpose {}x{}".format(*layer.kernel_size)
    if isinstance(layer, keras.layers.Conv2D):
        return "conv {}x{}".format(*layer.kernel_size)
    if "Norm" in name:
        return "instance norm" if "Instance" in name or "Group" in name else "batch norm"
    if "Padding" in name or "Pad" in name:
        return "padding"
    if name in ("ReLU", "LeakyReLU", "PReLU", "Activation") or "Tanh" in name:
        return "activation"
    if name in ("Add",):
        return "add"
    return name


def torch_kind(module) -> str:
    name = type(module).__name__
    if name == "ConvTranspose2d":
        return "conv transpose {}x{}".format(*module.kernel_size)
    if name == "Conv2d":
        return "conv {}x{}".format(*module.kernel_size)
    if name == "InstanceNorm2d":
        return "instance norm"
    if name == "BatchNorm2d":
        return "batch norm"
    if "Pad" in name:
        return "padding"
    if name in ("ReLU", "LeakyReLU", "PReLU", "Tanh"):
        return "activation"
    return name


def keras_leaves(network, x):
    """``[(layer, inputs)]`` for every leaf layer call of one eager forward."""
    import keras

    seen = []
    original = keras.layers.Layer.__call__

    def patched(self, *args, **kwargs):
        if not self._layers:  # a leaf: no sub-layers
            seen.append((self, args, {k: v for k, v in kwargs.items() if k != "training"}))
        return original(self, *args, **kwargs)

    keras.layers.Layer.__call__ = patched
    try:
        network(x, training=False)
    finally:
        keras.layers.Layer.__call__ = original
    return [(layer, args, kw) for layer, args, kw in seen
            if type(layer).__name__ != "InputLayer"]


def torch_leaves(net, x):
    import torch

    seen, hooks = [], []
    for module in net.modules():
        if not list(module.children()):
            hooks.append(module.register_forward_hook(
                lambda m, inputs, out: seen.append((m, inputs))))
    with torch.inference_mode():
        net(x)
    for h in hooks:
        h.remove()
    return seen


def time_one(fn, rounds: int, inner: int) -> list[float]:
    fn()  # warm-up (tracing)
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        out.append((time.perf_counter() - t) / inner * 1e3)
    return out


def profile(case: str, rounds: int, threads: int, inner: int, extra=()) -> dict:
    import numpy as np
    import tensorflow as tf
    import torch

    plugin, image_size, sets = vs.CASES[case]
    sets = sets + list(extra)
    config, inference = vs.build_cgtk(plugin, image_size, sets, "float32", 1)
    scale = max(int(inference.scale or 1), 1)
    size = config.image_size // scale
    x = np.random.default_rng(3).uniform(-1, 1, (1, size, size, 3)).astype("float32")
    torch.set_num_threads(threads)
    net = vs.TORCH_BUILDERS[plugin](config).eval()
    xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())

    tf.get_logger().setLevel("ERROR")  # one tf.function per leaf: the retracing notice
    kl = keras_leaves(inference.network, tf.constant(x))
    tl = torch_leaves(net, xt)

    def keras_fn(layer, args, kw):
        f = tf.function(lambda *a: layer(*a, training=False, **kw))
        return lambda: f(*args).numpy()

    def torch_fn(module, inputs):
        def run():
            with torch.inference_mode():
                module(*inputs)
        return run

    keras_ms, torch_ms = defaultdict(float), defaultdict(float)
    keras_n, torch_n = defaultdict(int), defaultdict(int)
    for layer, args, kw in kl:
        keras_ms[keras_kind(layer)] += statistics.median(
            time_one(keras_fn(layer, args, kw), rounds, inner))
        keras_n[keras_kind(layer)] += 1
    for module, inputs in tl:
        torch_ms[torch_kind(module)] += statistics.median(
            time_one(torch_fn(module, inputs), rounds, inner))
        torch_n[torch_kind(module)] += 1

    whole = {"cgtk_sig": vs.KerasCase(inference.network, x, "sig"),
             "torch": vs.TorchCase(net, input_size=size, batch_size=1, channels=3,
                                   threads=threads)}
    from cgtk.bench.runner import time_interleaved

    timings = time_interleaved(whole, steps=1, repeats=rounds, warmup=1)
    kinds = sorted(set(keras_ms) | set(torch_ms), key=lambda k: -torch_ms.get(k, 0))
    rows = [{"kind": k, "cgtk_layers": keras_n.get(k, 0), "torch_modules": torch_n.get(k, 0),
             "cgtk_ms": round(keras_ms.get(k, 0.0), 2), "torch_ms": round(torch_ms.get(k, 0.0), 2),
             "x_torch": round(torch_ms[k] / keras_ms[k], 3)
             if keras_ms.get(k) and torch_ms.get(k) else None} for k in kinds]
    return {"case": case, "torch": torch.__version__, "threads": threads, "rounds": rounds, "inner": inner,
            "input_size": size, "kinds": rows,
            "sum_cgtk_ms": round(sum(keras_ms.values()), 1),
            "sum_torch_ms": round(sum(torch_ms.values()), 1),
            "whole_cgtk_sig_ms": round(timings["cgtk_sig"]["ms_per_step"], 1),
            "whole_torch_ms": round(timings["torch"]["ms_per_step"], 1)}


def markdown(report: dict) -> str:
    lines = ["| kind | cgtk layers | torch modules | cgtk ms | torch ms | x torch |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in report["kinds"]:
        lines.append(f"| {r['kind']} | {r['cgtk_layers']} | {r['torch_modules']} | "
                     f"{r['cgtk_ms']} | {r['torch_ms']} | {r['x_torch']} |")
    lines.append(f"| **sum of leaves** | | | {report['sum_cgtk_ms']} | "
                 f"{report['sum_torch_ms']} | "
                 f"{round(report['sum_torch_ms'] / report['sum_cgtk_ms'], 3)} |")
    lines.append(f"| **whole forward** (sig / torch) | | | {report['whole_cgtk_sig_ms']} | "
                 f"{report['whole_torch_ms']} | "
                 f"{round(report['whole_torch_ms'] / report['whole_cgtk_sig_ms'], 3)} |")
    return "\n".join(lines)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--case", choices=list(vs.CASES), default="resnet256")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--inner", type=int, default=3, help="calls per leaf per round")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--set", action="append", help="extra config override (tiny test nets)")
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from cgtk.bench import machine
    from cgtk.bench.runner import set_threads

    set_threads(a.threads, "tensorflow")
    report = {"machine": machine.machine_info(), "versions": machine.versions(),
              "date": machine.now(), "load_average": os.getloadavg(),
              **profile(a.case, a.rounds, a.threads, a.inner, a.set or [])}
    print(markdown(report))
    if a.out:
        a.out.write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
