"""``benchmarks/bench_degradation.py`` runs end to end at a tiny size on the shared photos
(its figures are recorded in benchmarks/RESULTS.md, never timed here)."""
import re
import subprocess
import sys

from helpers import REPO, env_with


def test_degradation_benchmark_reports_both_pipelines(shared_data):
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_degradation.py"), "--batches", "1",
         "--repeats", "1", "--warmup", "1", "--size", "32", "--batch", "2"],
        env=env_with(KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3",
                     CGTK_SHARED_DATA=str(shared_data)),
        capture_output=True, text=True, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "cpu: " in out and "sun_hays80 (80 JPEGs)" in out
    rates = {m.group(1): float(m.group(2)) for m in re.finditer(
        r"^(bicubic LR|second-order degradation)[^:]*: ([\d.]+) pairs/s", out, re.M)}
    assert set(rates) == {"bicubic LR", "second-order degradation"}, out
    assert all(r > 0 for r in rates.values()), rates
