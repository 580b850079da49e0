"""A failed write (here: the file-size limit, EFBIG) is one line naming the file and the
errno, exit 1; temporary files go; the previous checkpoint, .keras file, sample grid and
plot stay as they were.

The limit is ``resource.setrlimit(RLIMIT_FSIZE)`` in a child process, with SIGXFSZ
ignored there so the write fails with EFBIG instead of killing the process.
"""
import doctest
import errno
import json
import textwrap

import pytest
from helpers import cli_in_process, run_python

import cgtk.runs.writes

LIMIT = 16_000  # bytes: above config.json and metrics.csv, below the toy's state.npz

UNDER_LIMIT = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
"""


def test_docstring_example():
    result = doctest.testmod(cgtk.runs.writes)
    assert result.attempted > 0 and result.failed == 0


def snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_a_checkpoint_that_cannot_be_written(toy_site, tmp_path, backend):
    run = tmp_path / "run"
    first = cli_in_process("train", "toy", "--data", "demo", "--epochs", "1",
                           "--steps-per-epoch", "4", "--checkpoint-every", "2", "--backend",
                           backend, "--run-dir", run, paths=[toy_site], backend=backend)
    assert first.returncode == 0, first.stderr[-2000:]
    checkpoints, keras_file = snapshot(run / "checkpoints"), (run / "generator.keras")
    network = keras_file.read_bytes()
    code = UNDER_LIMIT.format(limit=LIMIT) + textwrap.dedent(f"""
    from cgtk.cli.main import main
    sys.exit(main(["train", "--resume", {str(run)!r}, "--epochs", "2"]))
    """)
    result = run_python(code, backend=backend, paths=[toy_site])
    assert result.returncode == 1, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert errors == [
        f"Error: cannot write {run}/checkpoints/step-000000006/state.npz: [Errno 27 EFBIG] "
        "File too large (the last complete checkpoint is step-000000004; free some disk "
        "space, raise the file-size limit or fix the permissions, then: cgtk train "
        f"--resume {run})"], result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert not list((run / "checkpoints").glob(".tmp-*"))
    assert snapshot(run / "checkpoints") == checkpoints  # the previous ones, intact
    assert keras_file.read_bytes() == network


COMPONENTS = """
import json, types
from pathlib import Path
import numpy as np
import keras
from cgtk.callbacks.loss_plot import plot_losses
from cgtk.callbacks.samples import save_png
from cgtk.engine.builder import export_inference
from cgtk.runs import WriteFailed

root = Path({root!r})
inp = keras.Input((None, None, 3))
hidden = keras.layers.Conv2D(256, 3, padding="same")(inp)   # ~55 KB of weights
model = keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same")(hidden))
trainer = types.SimpleNamespace(
    run=types.SimpleNamespace(inference_path=lambda name: root / f"{{name}}.keras"),
    model=types.SimpleNamespace(
        inference_networks=lambda: {{"generator": types.SimpleNamespace(network=model)}}))
grid = np.random.default_rng(0).integers(0, 256, (400, 400, 3), dtype=np.uint8)
noise = np.random.default_rng(1).uniform(0, 1, (300, 2))
(root / "metrics.csv").write_text("step,epoch,time,G,D\\n" + "".join(
    f"{{i + 1}},1,{{i}},{{a}},{{b}}\\n" for i, (a, b) in enumerate(noise)))   # a ~60 KB plot
export_inference(trainer)                       # the previous files, written in full
save_png(grid[:8, :8], root / "samples" / "epoch-001.png")
plot_losses(root / "metrics.csv", root / "losses.png")
before = {{p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()}}
{limit}
outcome = {{}}
for what, write in [("keras", lambda: export_inference(trainer)),
                    ("sample", lambda: save_png(grid, root / "samples" / "epoch-001.png")),
                    ("plot", lambda: plot_losses(root / "metrics.csv", root / "losses.png"))]:
    try:
        write()
        outcome[what] = "written"
    except WriteFailed as err:
        outcome[what] = [str(err.path), err.errno, err.message]
after = {{p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()}}
print("RESULT", json.dumps({{"outcome": outcome, "unchanged": before == after,
                            "files": sorted(after)}}))
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_keras_file_sample_grid_and_plot_that_cannot_be_written(tmp_path, backend):
    code = COMPONENTS.format(root=str(tmp_path), limit=UNDER_LIMIT.format(limit=20_000))
    result = run_python(code, backend=backend)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT"))
    report = json.loads(line[len("RESULT"):])
    expected = {"keras": tmp_path / "generator.keras",
                "sample": tmp_path / "samples" / "epoch-001.png",
                "plot": tmp_path / "losses.png"}
    for what, path in expected.items():
        got = report["outcome"][what]
        assert got[:2] == [str(path), errno.EFBIG], got
        assert got[2] == f"cannot write {path}: [Errno 27 EFBIG] File too large"
    assert report["unchanged"]  # the previous file of each kind is intact
    assert report["files"] == ["epoch-001.png", "generator.keras", "losses.png",
                               "metrics.csv"]  # no temporary file left behind
