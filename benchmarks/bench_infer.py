"""Inference images/s of every installed plugin at 256 px (super-resolution: a 128 px
input at x4), through ``cgtk bench PLUGIN --infer --json``, one subprocess per plugin.

A plugin that fails to build or run is skipped with a printed note; the script does not
crash. Writes ``--out`` (JSON) with every report.

    python benchmarks/bench_infer.py --batch-size 1 --steps 5 --repeats 3 --out /tmp/infer.json
    python benchmarks/bench_infer.py --backend jax --batch-size 64 --precision mixed_bfloat16
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path


def plugins() -> list:
    from cgtk import registry

    return [i for i in registry.discover() if i.ok]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=256, help="input size (SR: --sr-input)")
    p.add_argument("--sr-input", type=int, default=128, help="super-resolution input size")
    p.add_argument("--sr-scale", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--backend", default=None)
    p.add_argument("--precision", default=None)
    p.add_argument("--jit", choices=("on", "off"), default=None)
    p.add_argument("--only", nargs="*", help="plugin names (default: every working one)")
    p.add_argument("--timeout", type=int, default=900)
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args()
    reports, skipped = [], []
    for info in plugins():
        if a.only and info.name not in a.only:
            continue
        cmd = [sys.executable, "-m", "cgtk.cli.main", "bench", info.name, "--infer", "--json",
               "--batch-size", str(a.batch_size), "--steps", str(a.steps),
               "--repeats", str(a.repeats)]
        if info.data_kind == "single":  # --image-size is the HR size; input = size / scale
            cmd += ["--image-size", str(a.sr_input * a.sr_scale), "--set", f"scale={a.sr_scale}"]
        else:
            cmd += ["--image-size", str(a.size)]
        for flag, value in (("--backend", a.backend), ("--precision", a.precision)):
            if value:
                cmd += [flag, value]
        if a.jit:
            cmd.append("--jit" if a.jit == "on" else "--no-jit")
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout, env=env)
        except subprocess.TimeoutExpired:
            print(f"note: {info.name} skipped: timed out after {a.timeout} s")
            skipped.append({"plugin": info.name, "reason": "timeout"})
            continue
        if proc.returncode != 0:
            reason = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"note: {info.name} skipped: {reason}")
            skipped.append({"plugin": info.name, "reason": reason})
            continue
        r = json.loads(proc.stdout[proc.stdout.find("{"):])
        reports.append(r)
        print(f"{r['plugin']:10s} {r['inference_network']:10s} {r['input_size']:4d}px -> "
              f"{r['output_size']:4d}px  batch {r['batch_size']:3d}  {r['ms_per_step']:9.1f} "
              f"ms/batch  {r['images_per_s']:8.3g} img/s  "
              f"{r['flops']['inference_per_image'] / 1e9:7.1f} GFLOP/img  "
              f"{r['achieved_tflops']:.3g} TFLOP/s  ({r['backend']}, {r['precision']}, "
              f"jit={'on' if r['jit'] else 'off'})")
    if a.out:
        a.out.write_text(json.dumps({"reports": reports, "skipped": skipped}, indent=2))


if __name__ == "__main__":
    main()
