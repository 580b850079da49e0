"""``cgtk bench esrgan`` / ``cgtk bench realesrgan`` (training step and ``--infer``) run
offline with random VGG weights on TensorFlow and JAX; without them, offline, the VGG
download failure is one line naming ``--set vgg_weights``."""
import json

import pytest
from helpers import run_cli, run_python

TINY = ["n_blocks=1", "n_feats=8", "growth=4", "ndf=4", "scale=2", "vgg_weights=none"]

CODE = """
import contextlib, io, json
from cgtk.cli.main import main

results = {{}}
for plugin in ("esrgan", "realesrgan"):
    for infer in (False, True):
        args = ["bench", plugin, "--backend", {backend!r}, "--image-size", "32",
                "--batch-size", "2", "--steps", "1", "--repeats", "1", "--warmup", "1",
                "--json"]
        for value in {sets!r}:
            args += ["--set", value]
        if infer:
            args.append("--infer")
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main(args)
        assert code == 0, (plugin, infer, code)
        text = buffer.getvalue()
        results[plugin + ("/infer" if infer else "/train")] = json.loads(text[text.index("{{"):])
print("RESULTS=" + json.dumps(results))
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_bench_esrgan_and_realesrgan(backend):
    if backend == "jax":
        pytest.importorskip("jax", reason="the JAX backend is not installed")
    proc = run_python(CODE.format(backend=backend, sets=TINY), backend=backend, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULTS="))
    results = json.loads(line[len("RESULTS="):])
    assert sorted(results) == ["esrgan/infer", "esrgan/train", "realesrgan/infer",
                               "realesrgan/train"]
    for key, r in results.items():
        assert r["backend"] == backend and r["ms_per_step"] > 0, key
        flops = r["flops"]["train_per_image" if key.endswith("train") else
                            "inference_per_image"]
        assert flops > 0, key
    for plugin in ("esrgan", "realesrgan"):
        assert results[f"{plugin}/infer"]["input_size"] == 16          # 32 px at x2
        assert (results[f"{plugin}/train"]["flops"]["train_per_image"]
                > results[f"{plugin}/infer"]["flops"]["inference_per_image"])


def test_bench_without_vgg_weights_offline_is_one_line(tmp_path):
    sets = [a for s in TINY if not s.startswith("vgg_weights") for a in ("--set", s)]
    proc = run_cli("bench", "esrgan", "--image-size", "32", "--batch-size", "1", "--steps",
                   "1", "--repeats", "1", "--warmup", "1", *sets, KERAS_HOME=tmp_path)
    if proc.returncode == 0:
        pytest.skip("the VGG19 ImageNet weights are available here (cached, or online)")
    assert proc.returncode == 1, proc.stderr[-2000:]
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and "--set vgg_weights" in errors[0], proc.stderr[-2000:]
