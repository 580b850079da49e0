"""The CycleGAN comparison scripts under ``benchmarks/`` run end to end at a tiny size
(the figures themselves are benchmarks, not tests), and the convolution floor holds
exactly the kernels a CycleGAN step needs."""
import json
import subprocess
import sys

import pytest
from helpers import REPO, env_with, run_python

SCRIPT = REPO / "benchmarks" / "bench_cyclegan_vs_baseline.py"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "report.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--image-size", "32", "--ngf", "4", "--n-blocks", "1",
         "--steps", "1", "--repeats", "2", "--warmup", "1", "--rerun", "--no-jit", "--floor",
         "--out", str(out)],
        env=env_with(KERAS_BACKEND="tensorflow"), capture_output=True, text=True,
        timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text())


def test_every_case_is_timed_and_compared(report):
    results = report["results"]
    assert list(results) == ["baseline", "baseline_rerun", "cgtk_nojit", "conv_floor"]
    assert results["baseline"]["ratio_to_baseline"] == 1.0
    assert results["baseline"]["round_ratios"] == [1.0, 1.0]
    for r in results.values():
        assert len(r["ms_all"]) == 2 and all(ms > 0 for ms in r["ms_all"])
        assert r["ratio_round_median"] > 0
    assert report["train_flops_per_image"] > 0
    assert {"machine", "versions", "date", "command"} <= set(report)


def test_floor_holds_the_kernels_of_one_step():
    # 2 G/F calls (cycle) with every input gradient, 4 without the first layer's;
    # 2 D calls in the generator phase (forward + input grads), 4 in the D phase
    # (forward + filter grads + input grads but the first layer's)
    proc = run_python(f"""
        import sys
        sys.path.insert(0, {str(REPO / 'benchmarks')!r})
        from conv_floor import conv_layers, step_kernels
        from cgtk import nn
        g, d = nn.resnet_generator(ngf=4, n_blocks=1), nn.patch_discriminator(3, ndf=4)
        gl, dl = conv_layers(g, 32), conv_layers(d, 32)
        print(len(gl), len(dl), len(step_kernels(gl, dl)))
        print([s for _, s in gl][:2])
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    n_g, n_d, total = map(int, lines[-2].split())
    assert (n_g, n_d) == (1 + 2 + 2 * 1 + 2 + 1, 5)   # c7, 2 down, 1 block, 2 up, c7; PatchGAN
    expected = (4 * (3 * n_g - 1) + 2 * 3 * n_g
                + 2 * 2 * n_d
                + 4 * (3 * n_d - 1))
    assert total == expected
    # the first conv sees the reflection-padded 32 px image
    assert lines[-1] == "[(1, 38, 38, 3), (1, 34, 34, 4)]"



JAX_SCRIPT = REPO / "benchmarks" / "baseline_cyclegan_jax.py"
TINY = ["--image-size", "32", "--ngf", "4", "--n-blocks", "1"]


def _run_jax_script(*args):
    proc = subprocess.run([sys.executable, str(JAX_SCRIPT), *TINY, *args],
                          env=env_with(KERAS_BACKEND="jax"), capture_output=True, text=True,
                          timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_plain_jax_baseline_runs_against_cgtk():
    out = _run_jax_script("--steps", "1", "--repeats", "1")
    lines = {line.split()[0]: line for line in out.splitlines() if "ms/step" in line}
    assert sorted(lines) == ["cgtk", "plain_jax"]
    assert "x1.000 of plain" in lines["plain_jax"]


def test_plain_jax_baseline_memory_analysis_grows_with_the_batch():
    temps = {}
    for batch in ("1", "4"):
        out = _run_jax_script("--batch-size", batch, "--memory")
        rows = [line.split() for line in out.splitlines() if " temp " in line]
        temps[batch] = {r[0]: float(r[2]) for r in rows}
    assert sorted(temps["1"]) == ["cgtk", "plain_jax"]
    for name in ("cgtk", "plain_jax"):
        assert temps["4"][name] > temps["1"][name] > 0, temps


def test_winograd_script_matches_the_direct_convolution():
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "winograd_conv.py"), "--size", "6",
         "--channels", "4", "--calls", "1", "--rounds", "1"],
        env=env_with(KERAS_BACKEND="tensorflow"), capture_output=True, text=True,
        timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    first, *timings = proc.stdout.strip().splitlines()
    assert float(first.rsplit("=", 1)[1]) < 1e-5  # the same convolution, up to rounding
    assert [line.split()[0] for line in timings] == ["direct", "winograd"]
