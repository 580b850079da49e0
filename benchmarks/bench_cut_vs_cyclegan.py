"""Training speed of cut and fastcut against cyclegan, in ONE process, interleaved.

Each plugin is built exactly as ``cgtk bench NAME`` builds it (:mod:`cgtk.bench.runner`:
its defaults, ``--strategy one``), at the same image size, batch size and generator /
discriminator width, and fed the same synthetic unpaired batch. Every round times each
case for ``--steps`` steps, the order rotating each round; the figure per case is the
median over ``--repeats`` rounds of the mean time per step. One step consumes one
``(A, B)`` batch; images/s counts the ``batch_size`` A images translated per step (the
same unit for all three). Also reports the analytic training FLOPs per image
(:func:`cgtk.bench.flops.step_flops`) and the ratios cyclegan / cut (> 1: cut is cheaper).

    python benchmarks/bench_cut_vs_cyclegan.py --image-size 128 --steps 3 --repeats 5 \\
        --out /tmp/cut_vs_cyclegan.json
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PLUGINS = ("cyclegan", "cut", "fastcut")


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--ngf", type=int, default=64)
    p.add_argument("--n-blocks", type=int, default=9)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--backend", default=os.environ["KERAS_BACKEND"])
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args(argv)

    from cgtk.bench import flops, machine
    from cgtk.bench.runner import (
        TrainCase,
        build_model,
        resolve,
        select_backend,
        time_interleaved,
        to_device,
    )

    backend = select_backend(a.backend)
    width = [f"ngf={a.ngf}", f"ndf={a.ngf}", f"n_blocks={a.n_blocks}"]
    extra = {"cyclegan": [], "cut": [], "fastcut": []}
    if a.n_blocks < 9:  # keep the default nce_layers valid: the encoder's, then the last block
        blocks = sorted({10 + a.n_blocks // 3, 9 + a.n_blocks})
        layers = ",".join(map(str, [0, 4, 8, *blocks]))
        extra["cut"] = extra["fastcut"] = [f"nce_layers={layers}"]
    cases, per_image_flops = {}, {}
    for plugin in PLUGINS:
        info, config = resolve(plugin, backend=backend, sets=width + extra[plugin],
                               image_size=a.image_size, batch_size=a.batch_size)
        built = build_model(info.cls, config)
        small = tuple(x[:1] for x in built.batch)
        trace = flops.trace_step_calls(built.model, to_device(small))
        per_image_flops[plugin] = flops.step_flops(built.model, trace)["train_flops"]
        cases[plugin] = TrainCase(built)
    times = time_interleaved(cases, steps=a.steps, repeats=a.repeats, warmup=a.warmup)
    result = {"image_size": a.image_size, "batch_size": a.batch_size, "ngf": a.ngf,
              "n_blocks": a.n_blocks, "steps": a.steps, "repeats": a.repeats,
              "backend": backend, "machine": machine.machine_info(),
              "versions": machine.versions(), "date": machine.now(),
              "command": " ".join(["python", *sys.argv]), "cases": {}}
    for plugin in PLUGINS:
        ms = times[plugin]["ms_per_step"]
        result["cases"][plugin] = {
            "ms_per_step": ms, "images_per_s": a.batch_size * 1000.0 / ms,
            "train_gflop_per_image": per_image_flops[plugin] / 1e9,
            "ms_all": times[plugin]["ms_all"]}
    base = result["cases"]["cyclegan"]
    for plugin in ("cut", "fastcut"):
        case = result["cases"][plugin]
        rounds = [c / x for c, x in zip(base["ms_all"], case["ms_all"])]
        case["speedup_vs_cyclegan"] = base["ms_per_step"] / case["ms_per_step"]
        case["speedup_round_median"] = statistics.median(rounds)
        case["flop_ratio_cyclegan_over"] = (base["train_gflop_per_image"]
                                            / case["train_gflop_per_image"])
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if a.out is not None:
        a.out.write_text(text)
    return result


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
