"""Time ``cgtk import`` of an 11.4M-parameter ResNet-9 CycleGAN generator ``.pth``
(goal: under 5 s after TensorFlow has loaded).

The file is the full-size reference architecture (ngf 64, 9 blocks, instance norm:
11,378,179 parameters), randomly initialised by the torch re-statement in
``tests/reference/networks.py`` (needs torch==2.13.0), or ``--file`` an existing one.
TensorFlow and Keras are imported first and not counted; each repeat imports into a
fresh run directory (read + sha256, build the plugin's networks, assign, write
config.json and a2b.keras).

    python benchmarks/bench_import.py [--file latest_net_G.pth] [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _make_file(path: Path) -> int:
    sys.path.insert(0, str(REPO / "tests"))
    import torch
    from reference.networks import ResnetGenerator

    torch.manual_seed(0)
    net = ResnetGenerator(3, 3, ngf=64, norm="instance", n_blocks=9)
    torch.save(net.state_dict(), path)
    return sum(p.numel() for p in net.parameters())


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="a ResnetGenerator .pth (default: make one)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path = args.file
    if path is None:
        path = work / "resnet9_ngf64.pth"
        print(f"made {path}: {_make_file(path):,} parameters")

    t0 = time.perf_counter()
    import keras  # noqa: F401 - loaded before timing, as the goal says
    import tensorflow  # noqa: F401

    import cgtk
    from cgtk.importing.api import load_reference
    from cgtk.importing.reader import read_weights

    print(f"TensorFlow + Keras import: {time.perf_counter() - t0:.2f} s (not counted)")
    totals, reads, loads = [], [], []
    for i in range(args.repeats):
        t = time.perf_counter()
        read_weights(path)
        reads.append(time.perf_counter() - t)
        t = time.perf_counter()
        load_reference("cyclegan", path)
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        cgtk.import_weights("cyclegan", path, work / f"run{i}")
        totals.append(time.perf_counter() - t)
        print(f"repeat {i + 1}: read {reads[-1]:.2f} s, read+build+assign {loads[-1]:.2f} s, "
              f"full import (with writing the run) {totals[-1]:.2f} s")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"median full import: {statistics.median(totals):.2f} s "
          f"(read {statistics.median(reads):.2f} s) on {_cpu()}, {os.cpu_count()} cores, "
          f"load average {load}")


if __name__ == "__main__":
    main()
