"""The bfloat16 check: CPU flags from /proc/cpuinfo, and the warn-once for bf16 requests on
a CPU without bf16 units (the CPU is faked by replacing the flag reader)."""
import pytest

from cgtk import cpu_features

NO_BF16 = {"fpu", "sse2", "avx2", "fma"}           # e.g. the 2-core AVX2 EPYC of issue 22
WITH_BF16 = NO_BF16 | {"avx512f", "avx512_bf16"}


@pytest.fixture
def fake_cpu(monkeypatch):
    monkeypatch.setattr(cpu_features, "_warned", set())

    def use(flags):
        monkeypatch.setattr(cpu_features, "cpu_flags", lambda path="/proc/cpuinfo": flags)
    return use


def test_flags_are_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Fake EPYC\nflags\t\t: fpu avx2 fma\n\n"
                    "processor\t: 1\nflags\t\t: fpu avx2 fma avx512_bf16\n")
    assert cpu_features.cpu_flags(str(info)) == {"fpu", "avx2", "fma"}   # the first CPU's
    assert cpu_features.cpu_model(str(info)) == "Fake EPYC"
    assert cpu_features.cpu_flags(str(tmp_path / "missing")) is None


@pytest.mark.parametrize("flags, expected", [(NO_BF16, False), (WITH_BF16, True),
                                             (NO_BF16 | {"amx_bf16"}, True),
                                             ({"fp", "asimd", "bf16"}, True), (None, None)])
def test_has_bf16(fake_cpu, flags, expected):
    fake_cpu(flags)
    assert cpu_features.has_bf16() is expected


def test_bf16_on_a_cpu_without_bf16_warns_once(fake_cpu):
    fake_cpu(NO_BF16)
    seen = []
    assert cpu_features.warn_bf16_once("mixed_bfloat16", seen.append, what="inference")
    assert not cpu_features.warn_bf16_once("mixed_bfloat16", seen.append, what="inference")
    assert len(seen) == 1
    assert "emulated and slow" in seen[0] and "float32 is faster here" in seen[0]
    assert "inference" in seen[0]


def test_no_warning_where_bf16_is_native_or_not_requested(fake_cpu):
    seen = []
    fake_cpu(WITH_BF16)
    assert not cpu_features.warn_bf16_once("mixed_bfloat16", seen.append)
    fake_cpu(NO_BF16)
    assert not cpu_features.warn_bf16_once("float32", seen.append)
    assert not cpu_features.warn_bf16_once("mixed_float16", seen.append)
    assert not cpu_features.warn_bf16_once("mixed_bfloat16", seen.append, device="gpu")
    fake_cpu(None)   # unreadable CPU: nothing proven, no warning
    assert not cpu_features.warn_bf16_once("mixed_bfloat16", seen.append)
    assert seen == []


def test_training_with_bf16_on_a_cpu_without_bf16_warns(fake_cpu, shared_data, tmp_path):
    import warnings

    from cgtk.engine.builder import TrainRequest, build, resolve

    fake_cpu(NO_BF16)
    data = tmp_path / "hr"
    data.mkdir()
    for p in sorted((shared_data / "photos" / "sun_hays80").glob("*.jpg"))[:4]:
        (data / p.name).symlink_to(p)
    request = TrainRequest(
        plugin="srresnet", data=str(data), run_dir=tmp_path / "run",
        sets=["arch=msrresnet", "n_blocks=1", "n_feats=8"],
        flags={"epochs": 1, "batch_size": 2, "image_size": 32, "precision": "mixed_bfloat16",
               "backend": "tensorflow", "epoch_length": 1})
    import keras

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = resolve(request)
            build(spec, callbacks=[]).run.unlock()
    finally:   # the build sets the global policy: keep later tests in float32
        keras.config.set_dtype_policy("float32")
    bf16 = [n for n in spec.notes if "bfloat16" in n]
    assert len(bf16) == 1 and "training" in bf16[0] and "emulated" in bf16[0], spec.notes
