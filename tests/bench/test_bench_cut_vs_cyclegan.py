"""``benchmarks/bench_cut_vs_cyclegan.py`` runs end to end at a tiny size (the figures
are a benchmark, recorded in benchmarks/RESULTS.md, not a test)."""
import json
import subprocess
import sys

from helpers import REPO, env_with


def test_cut_fastcut_and_cyclegan_are_timed_in_one_run(tmp_path):
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_cut_vs_cyclegan.py"),
         "--image-size", "32", "--ngf", "4", "--n-blocks", "1", "--steps", "1",
         "--repeats", "2", "--warmup", "1", "--out", str(out)],
        env=env_with(KERAS_BACKEND="tensorflow"), capture_output=True, text=True,
        timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert list(report["cases"]) == ["cyclegan", "cut", "fastcut"]
    for name, case in report["cases"].items():
        assert len(case["ms_all"]) == 2 and case["images_per_s"] > 0, name
        assert case["train_gflop_per_image"] > 0, name
    for name in ("cut", "fastcut"):  # one generator, no cycle: fewer FLOPs than cyclegan
        assert report["cases"][name]["flop_ratio_cyclegan_over"] > 1.5, name
    assert {"machine", "versions", "date", "command"} <= set(report)
