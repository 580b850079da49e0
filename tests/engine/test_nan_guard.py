"""The NaN guard names the step where training broke, and never checkpoints broken weights.

Issue 17 ("a NaN is reported one step off"): the guard checked only the losses. A
step whose losses are finite but whose gradient is NaN (``sqrt`` at 0, a gradient
penalty at a zero norm, an overflow) writes NaN weights; the guard then reported the
*next* step, and a checkpoint taken at the broken step saved the NaN weights as "the
last good checkpoint". Now the weights are checked before every checkpoint.
"""
import warnings

import numpy as np
import pytest

from cgtk.errors import CgtkError


def fit_toy(toy_site, run_dir, *sets):
    from cgtk.engine.builder import TrainRequest, build, resolve

    request = TrainRequest(plugin="toy", data="demo", run_dir=run_dir,
                           sets=["checkpoint_every=3", *sets],
                           flags={"epochs": 1, "steps_per_epoch": 10, "seed": 5,
                                  "backend": "tensorflow"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer = build(resolve(request), callbacks=[])
    try:
        return trainer.fit()
    finally:
        trainer.run.unlock()


def checkpoints(run_dir):
    return sorted(p.name for p in (run_dir / "checkpoints").glob("step-*"))


def all_finite(checkpoint):
    with np.load(checkpoint / "state.npz") as f:
        return all(np.isfinite(f[k]).all() for k in f.files if f[k].dtype.kind == "f")


@pytest.mark.tensorflow_only
def test_a_nan_gradient_is_reported_at_its_own_step(toy_site, tmp_path):
    run = tmp_path / "run"
    with pytest.raises(CgtkError) as err:
        fit_toy(toy_site, run, "nan_grad_at_step=6")
    text = str(err.value)
    # before: "loss term 'G_gan' became nan at step 7; ... the last good checkpoint is
    # .../step-000000006", a checkpoint holding the NaN weights
    assert "in the update of step 6" in text and "step 7" not in text
    assert "became nan" in text and "a gradient was not" in text
    assert checkpoints(run) == ["step-000000003"]
    assert "\n" not in text
    assert "the last good checkpoint is" in text and "step-000000003" in text
    assert all_finite(run / "checkpoints" / "step-000000003")


@pytest.mark.tensorflow_only
def test_a_nan_loss_is_still_reported_at_its_step(toy_site, tmp_path):
    run = tmp_path / "run"
    with pytest.raises(CgtkError, match=r"loss term 'G_l1' became nan at step 5;"):
        fit_toy(toy_site, run, "nan_at_step=4")
    assert checkpoints(run) == ["step-000000003"]
    assert all_finite(run / "checkpoints" / "step-000000003")
