"""Reading a damaged checkpoint is a clean CheckpointError that leaks no file handle."""
import gc
import types
import warnings

import keras
import numpy as np
import pytest

from cgtk.runs.checkpoint import CheckpointError, CheckpointManager


def tiny_model():
    """What the checkpoint code reads from a GANModel: variables, phases, optimizers."""
    net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    return types.SimpleNamespace(variables=net.variables, training_phases=[],
                                 phase_optimizers=[])


@pytest.mark.parametrize("damage", ["garbage", "truncated_zip"])
def test_a_damaged_state_file_raises_and_closes_it(tmp_path, damage):
    """Issue 21 item 10: "ResourceWarning: unclosed file" after a damaged state.npz."""
    model = tiny_model()
    checkpoints = CheckpointManager(tmp_path / "checkpoints")
    path = checkpoints.save(model, {"global_step": 4})
    state = path / "state.npz"
    data = state.read_bytes()
    state.write_bytes(b"truncated garbage" if damage == "garbage" else data[: len(data) // 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(CheckpointError, match="unreadable state.npz"):
            checkpoints.restore(path, model)
        gc.collect()
    leaked = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaked, [str(w.message) for w in leaked]


def test_an_intact_checkpoint_still_restores(tmp_path):
    model = tiny_model()
    checkpoints = CheckpointManager(tmp_path / "checkpoints")
    before = [np.array(v) for v in model.variables]
    path = checkpoints.save(model, {"global_step": 1})
    for v in model.variables:
        v.assign(np.zeros(v.shape))
    assert checkpoints.restore(path, model)["global_step"] == 1
    for v, b in zip(model.variables, before, strict=True):
        np.testing.assert_array_equal(np.array(v), b)
