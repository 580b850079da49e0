"""``cgtk bench`` on every built-in plugin, training step and ``--infer``, on TensorFlow
and on JAX (tiny widths at 32 px; one interpreter per backend runs the CLI for all). The
super-resolution plugins with a VGG loss bench offline with random VGG weights
(``vgg_weights=none``); without them, see tests/plugins/test_esrgan_bench.py."""
import json

import pytest
from helpers import run_python

TINY_SETS = {
    "cyclegan": ["ngf=8", "ndf=8", "n_blocks=1", "pool_size=2"],
    "pix2pix": ["ngf=8", "ndf=8", "num_downs=5"],
    "srresnet": ["n_blocks=1", "n_feats=8", "vgg_weights=none"],
    "srgan": ["n_blocks=1", "n_feats=8", "ndf=8", "vgg_weights=none"],
    "style": ["ngf=4", "n_blocks=1", "vgg_weights=none"],
    "cut": ["ngf=8", "ndf=8", "n_blocks=1", "nce_layers=0,4,8,10", "num_patches=16"],
    "fastcut": ["ngf=8", "ndf=8", "n_blocks=1", "nce_layers=0,4,8,10", "num_patches=16"],
    "esrgan": ["n_blocks=1", "n_feats=8", "growth=4", "ndf=4", "scale=2", "vgg_weights=none"],
    "realesrgan": ["n_blocks=1", "n_feats=8", "growth=4", "ndf=4", "scale=2",
                   "vgg_weights=none"],
}

CODE = """
import contextlib, io, json
from cgtk.cli.main import main

sets = {sets!r}
results = {{}}
for plugin, values in sets.items():
    for infer in (False, True):
        args = ["bench", plugin, "--backend", {backend!r}, "--image-size", "32",
                "--batch-size", "1", "--steps", "1", "--repeats", "1", "--warmup", "1",
                "--json"]
        for value in values:
            args += ["--set", value]
        if infer:
            args.append("--infer")
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main(args)
        assert code == 0, (plugin, infer, code)
        text = buffer.getvalue()
        results[f"{{plugin}}/{{'infer' if infer else 'train'}}"] = json.loads(
            text[text.index("{{"):])
print("RESULTS=" + json.dumps(results))
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_bench_every_builtin_plugin(backend):
    # KERAS_BACKEND stays tensorflow (the default): --backend alone must choose
    proc = run_python(CODE.format(sets=TINY_SETS, backend=backend), backend="tensorflow",
                      timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULTS="))
    results = json.loads(line[len("RESULTS="):])
    assert sorted(results) == sorted(f"{p}/{m}" for p in TINY_SETS for m in ("train", "infer"))
    for key, r in results.items():
        plugin, mode = key.split("/")
        assert (r["plugin"], r["mode"], r["backend"]) == (plugin, mode, backend), key
        assert r["ms_per_step"] > 0 and r["images_per_s"] > 0, key
        assert r["achieved_tflops"] > 0, key
        flops = r["flops"]["train_per_image" if mode == "train" else "inference_per_image"]
        assert flops > 0, key
        if mode == "train":  # every built-in's losses trace for shapes alone
            assert r["flops"]["calls_traced"] == "abstract", key
    # super-resolution benches its network on image_size / scale inputs (x4, and x2 here)
    assert results["srresnet/infer"]["input_size"] == 8
    assert results["esrgan/infer"]["input_size"] == results["realesrgan/infer"]["input_size"] == 16
    # a training step costs more than one inference pass of the same network
    for plugin in TINY_SETS:
        train = results[f"{plugin}/train"]["flops"]["train_per_image"]
        infer = results[f"{plugin}/infer"]["flops"]["inference_per_image"]
        assert train > infer, plugin
