"""``cgtk bench --infer --compare torch``: the PyTorch side comes from a comparison script
run by path (cgtk never imports torch), timed interleaved with cgtk's network; and the
``--precision`` values the inference path refuses. Tiny networks, in process."""
import pytest

from cgtk.bench import compare
from cgtk.bench.runner import BenchRequest, bench, check_infer_precision
from cgtk.errors import CgtkError

TINY = dict(plugin="cyclegan", infer=True, image_size=32, batch_size=1, steps=1, repeats=2,
            warmup=1, sets=["ngf=4", "n_blocks=1"])


def test_unsupported_inference_precision_is_a_one_line_error():
    check_infer_precision("float32", "cpu")
    check_infer_precision("mixed_bfloat16", "cpu")
    check_infer_precision("mixed_float16", "gpu")
    with pytest.raises(CgtkError, match="--precision mixed_float16: not supported for "
                                        "inference on cpu") as err:
        check_infer_precision("mixed_float16", "cpu")
    assert "float32, mixed_bfloat16" in err.value.hint and "\n" not in str(err.value)


def test_bench_refuses_float16_inference_on_the_cpu():
    with pytest.raises(CgtkError, match="not supported for inference on cpu"):
        bench(BenchRequest(**TINY, precision="mixed_float16"))


def test_compare_needs_infer():
    with pytest.raises(CgtkError, match="--compare needs --infer"):
        bench(BenchRequest(**{**TINY, "infer": False}, compare="torch"))


def test_compare_torch_finds_the_checkout_script():
    assert compare.find_script("torch").name == "bench_infer_vs_torch.py"


def test_compare_script_without_torch_is_a_clear_error(tmp_path):
    script = tmp_path / "no_torch.py"
    script.write_text("raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n")
    with pytest.raises(CgtkError, match="PyTorch is not installed") as err:
        compare.torch_case(str(script), "cyclegan", None, input_size=8, batch_size=1,
                           channels=3, threads=1)
    assert "torch==2.13.0" in err.value.hint


def test_bad_torch_builder_specs(tmp_path):
    with pytest.raises(CgtkError, match="expected FILE.py:FUNCTION"):
        compare.load_builder("nocolon")
    with pytest.raises(CgtkError, match="no such file"):
        compare.load_builder(str(tmp_path / "x.py") + ":build")
    (tmp_path / "b.py").write_text("x = 1\n")
    with pytest.raises(CgtkError, match="defines no function build"):
        compare.load_builder(str(tmp_path / "b.py") + ":build")


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="--compare torch needs the test-only torch "
                                               "(pip install torch==2.13.0, CPU build)")


def test_compare_torch_times_both_interleaved(torch):
    r = bench(BenchRequest(**TINY, compare="torch", threads=1))
    c = r["compare"]
    assert c["runtime"].startswith("torch ") and c["network"] == "ResnetGenerator"
    assert c["threads"] == 1
    assert len(c["ms_per_step_all"]) == 2 and len(c["speedup_all"]) == 2
    assert c["speedup"] == pytest.approx(c["ms_per_step"] / r["ms_per_step"], rel=1e-2)


def test_compare_with_a_users_torch_builder(torch, tmp_path):
    builder = tmp_path / "my_builder.py"
    builder.write_text(
        "import torch\n"
        "class MyNet(torch.nn.Module):\n"
        "    def __init__(self, ngf):\n"
        "        super().__init__()\n"
        "        self.conv = torch.nn.Conv2d(3, 3, 3, padding=1)\n"
        "        self.ngf = ngf\n"
        "    def forward(self, x):\n"
        "        return torch.tanh(self.conv(x))\n"
        "def build(config):\n"
        "    return MyNet(config.ngf)\n")
    r = bench(BenchRequest(**TINY, compare="torch", torch_builder=f"{builder}:build",
                           threads=1))
    assert r["compare"]["network"] == "MyNet"


def test_plugin_without_a_restatement_is_a_clear_error(torch):
    with pytest.raises(CgtkError, match="arch=msrresnet"):
        bench(BenchRequest(plugin="srresnet", infer=True, image_size=32, batch_size=1,
                           steps=1, repeats=1, warmup=1, sets=["n_blocks=1", "n_feats=8"],
                           compare="torch"))
