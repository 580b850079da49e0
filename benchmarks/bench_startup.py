"""Start-up time of ``cgtk --help``: the median of N fresh subprocess runs (goal < 0.5 s).

Wall time is the figure; the child's CPU time (user + sys) is printed too, since on a
shared, loaded machine it is far less noisy than the wall time.

    python benchmarks/bench_startup.py -n 15
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=15, help="runs (after one untimed warm-up run)")
    p.add_argument("--goal", type=float, default=0.5)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    exe = shutil.which("cgtk")
    cmd = [exe, "--help"] if exe else [sys.executable, "-m", "cgtk.cli.main", "--help"]
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    times, cpu = [], []
    for _ in range(a.n):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    median = statistics.median(times)
    result = {"command": " ".join(cmd), "runs": a.n, "median_s": round(median, 4),
              "min_s": round(min(times), 4), "max_s": round(max(times), 4),
              "cpu_median_s": round(statistics.median(cpu), 4), "goal_s": a.goal, "meets_goal": median < a.goal}
    if a.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['command']}: median {median:.3f} s over {a.n} runs (min "
              f"{min(times):.3f}, max {max(times):.3f}; CPU time median "
              f"{result['cpu_median_s']:.3f} s); goal < {a.goal} s: "
              f"{'met' if result['meets_goal'] else 'NOT met'}")
    sys.exit(0 if result["meets_goal"] else 1)


if __name__ == "__main__":
    main()
