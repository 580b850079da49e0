"""``cgtk export``: formats from a trained run, parity report, refusals."""
import json

import pytest

from cgtk.cli.main import main


def test_onnx_with_json_parity(toy_run, tmp_path, capsys, shared_data):
    photo = next(iter(sorted((shared_data / "photos" / "sun_hays80").glob("*.jpg"))))
    assert main(["export", str(toy_run), "--format", "onnx", "-o", str(tmp_path / "g"),
                 "--parity-image", str(photo), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["output"].endswith("g.onnx") and (tmp_path / "g.onnx").is_file()
    assert report["parity"]["ok"] and report["parity"]["tolerance"] == 1e-3
    assert report["parity"]["checks"][-1]["input"].startswith("image")


@pytest.mark.parametrize("fmt, made", [("tflite", "g.tflite"), ("saved_model", "g"),
                                       ("keras", "g.keras")])
def test_formats(toy_run, tmp_path, capsys, fmt, made):
    assert main(["export", str(toy_run), "-f", fmt, "-o", str(tmp_path / "g")]) == 0
    out = capsys.readouterr().out
    assert "parity OK" in out and (tmp_path / made).exists()


def test_refusals(toy_run, tmp_path, capsys):
    (tmp_path / "g.onnx").write_text("x")
    assert main(["export", str(toy_run), "-f", "onnx", "-o", str(tmp_path / "g")]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["export", str(toy_run), "-f", "coreml", "-o", str(tmp_path / "h")]) == 1
    assert "unknown export format" in capsys.readouterr().err
    # a tolerance nothing can meet: the parity failure is exit 1 with the numbers
    assert main(["export", str(toy_run), "-f", "keras", "-o", str(tmp_path / "k"),
                 "--tolerance", "-1"]) == 1
    assert "parity check failed" in capsys.readouterr().err


def test_jax_run_exports(tmp_path, toy_site):
    """A run trained on JAX: saved_model on JAX, litert refused on JAX, fine on TF."""
    from helpers import cli_in_process

    run = tmp_path / "jrun"
    r = cli_in_process("train", "toy", "--data", "demo", "--epochs", "1", "--steps-per-epoch",
                       "2", "--run-dir", run, "--backend", "jax", paths=[toy_site],
                       backend="jax")
    assert r.returncode == 0, r.stderr[-2000:]
    r = cli_in_process("export", run, "-f", "litert", "-o", tmp_path / "j", "--backend",
                       "jax", paths=[toy_site], backend="jax")
    assert r.returncode == 1 and "cannot be exported on the jax backend" in r.stderr
    assert main(["export", str(run), "-f", "litert", "-o", str(tmp_path / "j")]) == 0
    r = cli_in_process("export", run, "-f", "saved_model", "-o", tmp_path / "sm",
                       "--backend", "jax", paths=[toy_site], backend="jax")
    assert r.returncode == 0 and "parity OK" in r.stdout, r.stderr[-2000:]
