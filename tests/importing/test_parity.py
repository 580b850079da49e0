"""Forward parity: reference weights imported into cgtk give the reference's output
(max abs difference <= 1e-4, float32).

Two routes over the same cases (``tests/reference/cases.py``):

- ``test_fixture_parity``: the shipped ``.npz`` fixtures (state dict + expected output
  written by ``tests/reference/make_fixtures.py``), imported through a ``.safetensors``
  file and ``cgtk.import_weights``: runs without torch.
- ``test_torch_parity``: a fresh random-init torch re-statement, saved with
  ``torch.save`` and imported as ``.pth`` (needs torch).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import FIXTURES, fixture_tensors, save_safetensors
from reference.cases import BY_NAME, CASES, case_input, from_cgtk, to_cgtk

TOL = 1e-4


def _load_fixture(name):
    data = np.load(FIXTURES / f"{name}.npz")
    return fixture_tensors(name), data["expected"], json.loads(str(data["meta"]))


def _cgtk_output(case, weights_path, tmp_path, x, *, run_dir=True):
    """Import ``weights_path`` as cgtk does and run the inference network on ``x``
    (``run_dir``: through a written run directory and its reloaded .keras file)."""
    import keras

    import cgtk

    if case.plugin is None:  # the discriminator: no plugin exports it; use the API directly
        from cgtk import nn
        from cgtk.importing import junyanz, load_into, read_weights, zip_slots

        tensors = read_weights(weights_path).tensors
        opts = junyanz.patchgan_options(tensors)
        net = nn.patch_discriminator(opts["input_channels"], ndf=opts["ndf"],
                                     n_layers=opts["n_layers"], norm=opts["norm"])
        load_into(net, tensors, zip_slots(net, junyanz.patchgan_keys(opts["n_layers"],
                                                                     opts["norm"])))
        return from_cgtk(case, net(to_cgtk(case, x), training=False))
    if not run_dir:
        from cgtk.importing.api import load_reference

        loaded = load_reference(case.plugin, weights_path, sets=case.sets)
        model = next(iter(loaded.networks.values())).network
        return from_cgtk(case, model(to_cgtk(case, x), training=False))
    result = cgtk.import_weights(case.plugin, weights_path, tmp_path / "run", sets=case.sets)
    name = result.networks[0]
    model = keras.saving.load_model(result.run_dir / f"{name}.keras", safe_mode=True)
    return from_cgtk(case, model(to_cgtk(case, x), training=False))


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_fixture_parity(name, tmp_path):
    case = BY_NAME[name]
    tensors, expected, meta = _load_fixture(name)
    assert list(tensors) == meta["keys"]
    path = save_safetensors(tmp_path / f"{name}.safetensors", tensors)
    out = _cgtk_output(case, path, tmp_path, case_input(case))
    s = case.stride
    got = out[..., ::s, ::s]
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= TOL


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_torch_parity(name, tmp_path):
    torch = pytest.importorskip("torch", reason="forward parity against PyTorch needs torch "
                                "(a test-only dependency: pip install torch==2.13.0)")
    from reference.cases import build_reference, state_dict_arrays

    case = BY_NAME[name]
    net = build_reference(case, seed=1)  # other weights than the fixture's
    state = net.state_dict()
    for key, value in state_dict_arrays(case, net).items():
        state.setdefault(key, torch.from_numpy(value))
    path = tmp_path / f"{name}.pth"
    torch.save(state, path)
    x = case_input(case, seed=1)
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    out = _cgtk_output(case, path, tmp_path, x, run_dir=False)  # the fixtures cover that
    assert out.shape == expected.shape
    assert np.abs(out - expected).max() <= TOL
    assert np.abs(expected).max() > 1e-2  # a real signal, not two zeros agreeing


@pytest.mark.parametrize("name", ["resnet9_batch", "unet128_batch"])
def test_torch_parity_with_test_time_batch_statistics(name, tmp_path):
    """pix2pix's default ``test_bn=batch`` is the reference's test.py without --eval:
    BN normalises by the test image's own statistics (torch: train-mode BN, dropout off)."""
    import dataclasses

    torch = pytest.importorskip("torch", reason="forward parity against PyTorch needs torch "
                                "(a test-only dependency: pip install torch==2.13.0)")
    from reference.cases import build_reference

    case = dataclasses.replace(BY_NAME[name], sets=tuple(
        s for s in BY_NAME[name].sets if not s.startswith("test_bn")))
    net = build_reference(case, seed=2).train()  # no Dropout modules: use_dropout=False
    path = tmp_path / f"{name}.pth"
    torch.save(net.state_dict(), path)
    x = case_input(case, seed=2)
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    out = _cgtk_output(case, path, tmp_path, x, run_dir=False)
    assert np.abs(out - expected).max() <= TOL
