"""Offline, ``cgtk bench esrgan`` without ``--set vgg_weights=none`` stops at the VGG19
download with one line naming ``--set vgg_weights`` and the random stand-in. (The benches
of esrgan and realesrgan themselves, training step and ``--infer`` on TensorFlow and JAX,
are in tests/bench/test_bench_builtin_plugins.py with every other built-in plugin.)"""
import pytest
from helpers import run_cli

TINY = ["n_blocks=1", "n_feats=8", "growth=4", "ndf=4", "scale=2"]


def test_bench_without_vgg_weights_offline_is_one_line(tmp_path):
    sets = [a for s in TINY for a in ("--set", s)]
    proc = run_cli("bench", "esrgan", "--image-size", "32", "--batch-size", "1", "--steps",
                   "1", "--repeats", "1", "--warmup", "1", *sets, KERAS_HOME=tmp_path)
    if proc.returncode == 0:
        pytest.skip("the VGG19 ImageNet weights are available here (cached, or online)")
    assert proc.returncode == 1, proc.stderr[-2000:]
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and "--set vgg_weights" in errors[0], proc.stderr[-2000:]
    assert "--set vgg_weights=none uses random weights" in errors[0]
