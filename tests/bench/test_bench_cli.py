"""``cgtk bench`` end to end on the tiny 'toy' plugin (subprocesses, as users run it)."""
import pytest
from helpers import last_json, run_cli, run_python

# toy (width 8) at 16 px: G = conv3x3 3->8 + conv3x3 8->3; D = conv4x4/2 6->8 + conv3x3 8->1
G_FLOPS = 2 * 16 * 16 * (3 * 3 * 3 * 8 + 3 * 3 * 8 * 3)
D_FLOPS = 2 * (8 * 8 * 4 * 4 * 6 * 8 + 8 * 8 * 3 * 3 * 8 * 1)
# generator phase: G trained (3x), D differentiated through (2x); D phase: D trained, 2 calls
TOY_TRAIN_FLOPS = 3 * G_FLOPS + 2 * D_FLOPS + 2 * 3 * D_FLOPS

FIELDS = {"plugin", "mode", "image_size", "batch_size", "steps", "repeats", "backend",
          "precision", "jit", "ms_per_step", "ms_per_step_all", "images_per_s",
          "achieved_tflops", "first_step_s", "flops", "machine", "versions", "date", "command"}


def _ok(proc):
    assert proc.returncode == 0, proc.stderr[-3000:]
    return last_json(proc.stdout)


@pytest.fixture(scope="module")
def train_report(toy_site):
    return _ok(run_cli("bench", "toy", "--steps", "3", "--repeats", "2", "--json",
                       paths=[toy_site]))


def test_train_json_fields(train_report):
    r = train_report
    assert FIELDS <= set(r)
    assert (r["plugin"], r["mode"], r["image_size"], r["batch_size"]) == ("toy", "train", 16, 4)
    assert (r["backend"], r["precision"], r["jit"]) == ("tensorflow", "float32", False)
    assert len(r["ms_per_step_all"]) == 2 and r["ms_per_step"] > 0
    assert r["images_per_s"] == pytest.approx(4 / (r["ms_per_step"] / 1000), rel=1e-3)
    f = r["flops"]
    assert f["calls_per_step"] == {"generator": {"G": 1, "D": 1}, "discriminator": {"D": 2}}
    assert f["train_per_image"] == TOY_TRAIN_FLOPS
    assert f["inference_per_image"] == G_FLOPS
    assert r["achieved_tflops"] == pytest.approx(
        TOY_TRAIN_FLOPS * r["images_per_s"] / 1e12, rel=1e-2)
    assert r["machine"]["cores"] >= 1 and r["machine"]["cpu"]
    assert r["versions"]["keras"] and r["versions"]["python"]


def test_infer_json(toy_site):
    r = _ok(run_cli("bench", "toy", "--infer", "--steps", "2", "--repeats", "2",
                    "--batch-size", "2", "--image-size", "24", "--json", paths=[toy_site]))
    assert (r["mode"], r["inference_network"], r["input_size"], r["batch_size"]) == (
        "infer", "generator", 24, 2)
    assert r["flops"]["inference_per_image"] == G_FLOPS * (24 * 24) // (16 * 16)
    assert r["ms_per_step"] > 0 and "train_per_image" not in r["flops"]


def test_human_output(toy_site):
    proc = run_cli("bench", "toy", "--infer", "--steps", "1", "--repeats", "1", "--warmup", "1",
                   paths=[toy_site])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ms/step" in proc.stdout and "TFLOP/s" in proc.stdout and "inference" in proc.stdout


def test_jax_bench_never_imports_tensorflow(toy_site):
    code = """
        import sys

        class NoTensorFlow:
            def find_spec(self, name, path=None, target=None):
                if name == "tensorflow" or name.startswith("tensorflow."):
                    raise ImportError("tensorflow is blocked in this test")

        sys.meta_path.insert(0, NoTensorFlow())
        from cgtk.cli.main import main
        code = main(["bench", "toy", "--backend", "jax", "--steps", "2", "--repeats", "1",
                     "--json"])
        assert code == 0, code
        code = main(["bench", "toy", "--backend", "jax", "--infer", "--steps", "2",
                     "--repeats", "1", "--json"])
        assert code == 0, code
        assert "tensorflow" not in sys.modules
        print("NO_TF_OK")
    """
    proc = run_python(code, backend="jax", paths=[toy_site])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "NO_TF_OK" in proc.stdout
    assert '"backend": "jax"' in proc.stdout and '"jit": true' in proc.stdout
