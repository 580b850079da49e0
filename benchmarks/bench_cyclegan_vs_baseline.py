"""cgtk's CycleGAN step vs the plain keras-io-style baseline, in ONE process, interleaved.

Cases (all TensorFlow, CPU or one GPU, the same synthetic batch and architecture):

* ``baseline``: :mod:`baseline_cyclegan_keras` (keras-io's persistent-tape step, no XLA);
* ``baseline_rerun`` (``--rerun``): the two-tape plain variant that reruns the generators;
* ``cgtk_nojit`` / ``cgtk_jit``: cgtk's engine step (``cgtk bench cyclegan`` builds the same),
  float32, XLA off / on (one model, two compiled steps);
* ``cgtk_bf16_nojit`` / ``cgtk_bf16_jit`` (``--bf16``): ``mixed_bfloat16``;
* ``conv_floor`` (``--floor``): only the convolution kernels of one step, float32, in one
  graph without dependencies (:mod:`conv_floor`): a lower bound for any float32 step
  built on TensorFlow's convolutions, so ``conv_floor / baseline`` is the best ratio
  reachable by removing every other cost.

Every round times each case for ``--steps`` steps, the order rotating each round; the
figure is the median over ``--repeats`` rounds. Ratios are cgtk / baseline (< 1: cgtk is
faster): ``ratio_to_baseline`` divides the two medians, ``ratio_round_median`` is the
median of the per-round ratios (each round's cases ran back to back, so this one is the
less sensitive to a machine whose speed drifts). Writes ``--out`` (JSON) with every figure, the machine and the versions.

    python benchmarks/bench_cyclegan_vs_baseline.py --image-size 128 --batch-size 1 \\
        --steps 3 --repeats 5 --bf16 --out /tmp/cyclegan_vs_baseline.json
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--ngf", type=int, default=64)
    p.add_argument("--n-blocks", type=int, default=9)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--bf16", action="store_true", help="also time mixed_bfloat16")
    p.add_argument("--rerun", action="store_true", help="also time the rerun baseline")
    p.add_argument("--no-jit", dest="jit", action="store_false", help="skip cgtk --jit")
    p.add_argument("--floor", action="store_true",
                   help="also time the step's convolutions alone (conv_floor.py)")
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args()

    from baseline_cyclegan_keras import BaselineCase, build_baseline

    from cgtk.bench import flops, machine
    from cgtk.bench.runner import TrainCase, build_model, resolve, time_interleaved, to_device
    from cgtk.bench.synthetic import synthetic_batch

    batch, _ = synthetic_batch("unpaired", a.batch_size, a.image_size)
    cases = {"baseline": BaselineCase(build_baseline(a.ngf, a.ngf, a.n_blocks), batch)}
    if a.rerun:
        cases["baseline_rerun"] = BaselineCase(
            build_baseline(a.ngf, a.ngf, a.n_blocks, variant="rerun"), batch)
    sets = [f"ngf={a.ngf}", f"ndf={a.ngf}", f"n_blocks={a.n_blocks}"]
    flops_per_image = None
    for precision in ["float32"] + (["mixed_bfloat16"] if a.bf16 else []):
        info, config = resolve("cyclegan", backend="tensorflow", sets=sets,
                               image_size=a.image_size, batch_size=a.batch_size,
                               precision=precision)
        built = build_model(info.cls, config, jit=False)
        if flops_per_image is None:
            small = tuple(x[:1] for x in built.batch)
            trace = flops.trace_step_calls(built.model, to_device(small))
            flops_per_image = flops.step_flops(built.model, trace)["train_flops"]
        tag = "cgtk" if precision == "float32" else "cgtk_bf16"
        cases[f"{tag}_nojit"] = TrainCase(built)
        if a.jit:
            cases[f"{tag}_jit"] = TrainCase(dataclasses.replace(built, jit=True))
    if a.floor:
        from conv_floor import FloorCase

        cases["conv_floor"] = FloorCase(a.image_size, a.ngf, a.n_blocks)
    t0 = time.perf_counter()
    results = time_interleaved(cases, steps=a.steps, repeats=a.repeats, warmup=a.warmup)
    base = results["baseline"]["ms_per_step"]
    base_rounds = results["baseline"]["ms_all"]
    for name, r in results.items():
        r["ratio_to_baseline"] = r["ms_per_step"] / base
        r["round_ratios"] = [x / b for x, b in zip(r["ms_all"], base_rounds)]
        r["ratio_round_median"] = statistics.median(r["round_ratios"])
        r["images_per_s"] = a.batch_size / (r["ms_per_step"] / 1000)
        r["achieved_tflops"] = flops_per_image * r["images_per_s"] / 1e12
        print(f"{name:18s} {r['ms_per_step']:9.1f} ms/step  x{r['ratio_to_baseline']:.3f} "
              f"of baseline (rounds: x{r['ratio_round_median']:.3f})  {r['images_per_s']:.3g} img/s  {r['achieved_tflops']:.3g} TFLOP/s"
              f"  first step {r['first_step_s']:.1f} s  all {[round(x) for x in r['ms_all']]}")
    print(f"(cgtk step FLOPs: {flops_per_image / 1e9:.1f} GFLOP per image; "
          f"timing took {time.perf_counter() - t0:.0f} s)")
    report = {"args": vars(a) | {"out": str(a.out)}, "results": results,
              "train_flops_per_image": flops_per_image,
              "machine": machine.machine_info(), "versions": machine.versions(),
              "date": machine.now(), "command": " ".join(["python", *sys.argv])}
    if a.out:
        a.out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
