"""cgtk's restricted reader of torch.save files: tensors in, nothing else, no code run."""
from __future__ import annotations

import collections
import os
import pickle
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import FIXTURES, fixture_tensors

from cgtk.errors import CgtkError
from cgtk.importing.pth import read_pth
from cgtk.importing.reader import read_weights


def _torch_zip(path: Path, payload: bytes, *, name="archive", extra=()):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}/data.pkl", payload)
        z.writestr(f"{name}/version", "3\n")
        for member, data in extra:
            z.writestr(f"{name}/{member}", data)
    return path


class _Sentinel:
    """Unpickling this would create ``path`` through os.system."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


class _Eval:
    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (eval, (f"open({self.path!r}, 'w').close()",))


# ----------------------------------------------------------------- real torch file
def test_reads_a_real_torch_save_file_without_torch():
    """resnet6_instance.pth was written by torch.save (make_fixtures.py); its tensors
    equal the fixture's state dict."""
    weights = read_weights(FIXTURES / "resnet6_instance.pth")
    expected = fixture_tensors("resnet6_instance")
    assert weights.format == "pth" and list(weights.tensors) == list(expected)
    for key, value in expected.items():
        np.testing.assert_array_equal(weights.tensors[key], value)
    assert len(weights.sha256) == 64


def test_torch_dtypes_views_parameters_and_wrappers(tmp_path):
    torch = pytest.importorskip("torch", reason="writing .pth files with odd dtypes and "
                                "strides needs torch (test-only: pip install torch==2.13.0)")
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    state = collections.OrderedDict(
        transposed=base.t(), sliced=base[1:3, ::2], half=base.half(),
        bf16=torch.tensor([1.5, -2.25], dtype=torch.bfloat16),
        double=base.double()[0], counter=torch.tensor(7), param=torch.nn.Parameter(base[0]),
        shared=base)  # shares its storage with the views above
    torch.save({"params": state, "params_ema": state}, tmp_path / "w.pth")
    weights = read_weights(tmp_path / "w.pth")
    assert weights.wrapper == "params_ema"
    got = weights.tensors
    for key, value in state.items():
        want = value.detach().float().numpy() if value.dtype == torch.bfloat16 \
            else value.detach().numpy()
        np.testing.assert_array_equal(got[key], want, err_msg=key)
        assert got[key].dtype == want.dtype


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize("evil", [_Sentinel, _Eval])
def test_malicious_pickle_is_refused_and_runs_nothing(tmp_path, evil):
    sentinel = tmp_path / "pwned"
    state = collections.OrderedDict(weight=evil(sentinel))
    path = _torch_zip(tmp_path / "evil.pth", pickle.dumps(state, protocol=2))
    with pytest.raises(CgtkError) as err:
        read_weights(path)
    message = str(err.value)
    assert "refused" in message and str(path) in message
    assert re.search(r"global ((os|posix)\.system|(__builtin__|builtins)\.eval)", message)
    assert "\n" not in message
    assert not sentinel.exists()


def test_any_other_global_is_named(tmp_path):
    path = _torch_zip(tmp_path / "np.pth", pickle.dumps({"w": np.zeros(2)}, protocol=2))
    with pytest.raises(CgtkError, match=r"refused: its pickle needs the global numpy"):
        read_pth(path)


def test_legacy_non_zip_torch_file(tmp_path):
    path = tmp_path / "legacy.pth"
    path.write_bytes(pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + b"\x80\x02rest")
    with pytest.raises(CgtkError, match=r"legacy \(pre-1.6, non-zip\) torch file"):
        read_weights(path)


def test_zip_without_data_pkl(tmp_path):
    path = tmp_path / "other.pth"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(CgtkError, match="zip file without data.pkl"):
        read_weights(path)


@pytest.mark.parametrize("keep", [0.5, 0.97])
def test_truncated_file(tmp_path, keep):
    data = (FIXTURES / "resnet6_instance.pth").read_bytes()
    path = tmp_path / "cut.pth"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(CgtkError, match="truncated or corrupt") as err:
        read_weights(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("content, match", [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not a PyTorch weights file"),
    (b"just some text\n", "not a PyTorch weights file"),
])
def test_not_a_weights_file(tmp_path, content, match):
    path = tmp_path / "image.pth"
    path.write_bytes(content)
    with pytest.raises(CgtkError, match=match):
        read_weights(path)


def test_a_pickle_of_something_else_than_a_state_dict(tmp_path):
    path = _torch_zip(tmp_path / "list.pth", pickle.dumps([1, 2, 3], protocol=2))
    with pytest.raises(CgtkError, match="holds a list, not a state dict"):
        read_weights(path)
    path = _torch_zip(tmp_path / "ckpt.pth", pickle.dumps({"epoch": 3}, protocol=2))
    with pytest.raises(CgtkError, match="holds no tensors at the top level"):
        read_weights(path)


def test_bad_safetensors(tmp_path):
    path = tmp_path / "w.safetensors"
    path.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{garbage")
    with pytest.raises(CgtkError, match="not a readable .safetensors file"):
        read_weights(path)


def test_safetensors_with_params_wrapper_is_plain(tmp_path):
    from safetensors.numpy import save_file

    save_file({"a.weight": np.arange(6, dtype="float32").reshape(2, 3)},
              str(tmp_path / "w.safetensors"))
    weights = read_weights(tmp_path / "w.safetensors")
    assert weights.format == "safetensors" and weights.wrapper is None
    np.testing.assert_array_equal(weights.tensors["a.weight"][1], [3, 4, 5])
