"""The inference benchmarks of issue 22 run end to end at tiny sizes (their figures are
benchmarks recorded in benchmarks/RESULTS.md, never timed tests)."""
import json
import subprocess
import sys

import pytest
from helpers import REPO, env_with

TINY_RESNET = ["--set", "ngf=4", "--set", "n_blocks=1"]


def _run(script, *args, timeout=600, **env):
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), *args],
                          env=env_with(KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3",
                                       **env),
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_infer_vs_torch_times_cgtk_and_torch_interleaved(tmp_path):
    pytest.importorskip("torch", reason="the comparison needs the test-only torch==2.13.0")
    out = tmp_path / "vs_torch.json"
    _run("bench_infer_vs_torch.py", "--cases", "resnet256", *TINY_RESNET, "--set",
         "image_size=32", "--rounds", "2", "--variants", "sig", "eager", "--threads", "1",
         "--out", str(out))
    report = json.loads(out.read_text())
    (case,) = report["cases"]
    assert (case["case"], case["input_size"], case["output_size"]) == ("resnet256", 32, 32)
    assert list(case["results"]) == ["cgtk_sig", "cgtk_eager", "torch"]
    for r in case["results"].values():
        assert len(r["ms_all"]) == 2 and all(ms > 0 for ms in r["ms_all"])
    assert case["results"]["torch"]["speedup_vs_torch"] == 1.0
    assert report["threads"] == 1 and "cpu_flags" in report["machine"]


def test_layer_profile_sums_each_kind_on_both_sides(tmp_path):
    pytest.importorskip("torch", reason="the profile needs the test-only torch==2.13.0")
    out = tmp_path / "profile.json"
    proc = _run("profile_infer_layers.py", "--case", "resnet256", *TINY_RESNET, "--set",
                "image_size=32", "--rounds", "1", "--inner", "1", "--threads", "1",
                "--out", str(out))
    report = json.loads(out.read_text())
    kinds = {r["kind"]: r for r in report["kinds"]}
    # ResNet-9 with one block: 7x7 in and out, two stride-2 3x3 down, the block's two
    # 3x3, two transposed 3x3 up; every instance norm and padding is seen on both sides
    assert kinds["conv 7x7"]["cgtk_layers"] == kinds["conv 7x7"]["torch_modules"] == 2
    assert kinds["conv 3x3"]["cgtk_layers"] == kinds["conv 3x3"]["torch_modules"] == 4
    assert kinds["conv transpose 3x3"]["torch_modules"] == 2
    assert kinds["instance norm"]["cgtk_layers"] == kinds["instance norm"]["torch_modules"]
    assert all(r["cgtk_ms"] > 0 for r in kinds.values() if r["cgtk_layers"])
    assert report["whole_cgtk_sig_ms"] > 0 and report["whole_torch_ms"] > 0
    assert "| **whole forward**" in proc.stdout


def test_folder_and_tiles_benchmark(tmp_path, shared_data):
    out = tmp_path / "folder.json"
    _run("bench_infer_folder.py", *TINY_RESNET, "--count", "3", "--size", "32",
         "--big", "96", "64", "--tile", "32", "--overlap", "8", "--rounds", "1",
         "--out", str(out), CGTK_SHARED_DATA=str(shared_data))
    report = json.loads(out.read_text())
    folder, tiles = report["folder"], report["tiles"]
    assert folder["images"] == 3 and len(folder["ratios"]) == 1 and folder["ratios"][0] > 0
    assert tiles["image"] == [96, 64] and tiles["tiles"] > 1 and tiles["ratios"][0] > 0


def test_deploy_runtimes_benchmark(tmp_path):
    pytest.importorskip("onnxruntime", reason="the onnx runtime is the [onnx] extra")
    out = tmp_path / "deploy.json"
    _run("bench_deploy_runtimes.py", *TINY_RESNET, "--size", "32", "--rounds", "1",
         "--threads", "1", "--runtimes", "keras", "onnx", "litert", "--out", str(out))
    report = json.loads(out.read_text())
    assert list(report["results"]) == ["keras", "onnx", "litert"]
    assert set(report["parity"]) == {"onnx", "litert"}
    assert all(p["ok"] for p in report["parity"].values()), report["parity"]
    assert all(r["images_per_s"] > 0 for r in report["results"].values())
