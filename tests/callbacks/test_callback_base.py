import io
import types

import pytest
from rich.console import Console

from cgtk.callbacks import (
    Callback,
    LossPlot,
    MetricsCSV,
    Samples,
    TensorBoard,
    default_callbacks,
    summarize,
)
from cgtk.callbacks.base import summarize_rows


def test_default_order(trainer):
    kinds = [type(cb) for cb in default_callbacks(trainer)]
    assert kinds.index(MetricsCSV) < kinds.index(LossPlot)
    assert kinds.index(Samples) < kinds.index(TensorBoard)
    assert all(isinstance(cb, Callback) for cb in default_callbacks(trainer))
    assert TensorBoard not in [type(cb) for cb in default_callbacks(trainer, tensorboard=False)]


def test_summary_means_and_rate():
    rows = [{"step": 1, "epoch": 0, "time": 0.0, "a": 1.0},
            {"step": 2, "epoch": 0, "time": 2.0, "a": 2.0, "b": 5.0},
            {"step": 3, "epoch": 0, "time": 4.0, "a": float("nan")}]
    s = summarize_rows(rows, batch_size=8)
    assert s.means["b"] == 5.0 and s.means["a"] != s.means["a"]       # NaN shows through
    assert s.images_per_sec == 4.0 and (s.step, s.first_step, s.count) == (3, 1, 3)


def test_summary_computed_once_per_dispatch(trainer, make_rows):
    calls = []
    trainer.learning_rates = lambda: calls.append(1) or {"g": 1.0}
    rows = make_rows(1, 3)
    assert summarize(trainer, rows) is summarize(trainer, rows)
    assert len(calls) == 1
    rows.clear()
    rows.extend(make_rows(4, 6))                                      # a reused list
    assert summarize(trainer, rows).step == 6 and len(calls) == 2


class _Data:
    """One batch an epoch; ``take`` keeps the first n."""

    def steps_per_epoch(self, batch_size):
        return 1

    def dataset(self, epoch, skip_batches=0):
        return types.SimpleNamespace(take=lambda n: [epoch][skip_batches:skip_batches + n])


class _Stepper:
    def __init__(self, fail: bool):
        self.fail = fail

    def distribute(self, dataset):
        return iter(dataset)

    def step(self, batch):
        if self.fail:
            raise RuntimeError("the step exploded")
        return {"loss": 1.0}

    def logs_to_numpy(self, logs):
        return dict(logs)

    def sync(self):
        pass

    def reload(self):
        pass


def _trainer(callbacks, *, fail: bool, console):
    """The real Trainer around fakes: one epoch of one step, no checkpoint files."""
    from cgtk.engine.trainer import Trainer

    saved = []
    model = types.SimpleNamespace(training_phases=[], phase_optimizers=[],
                                  trainable_variables=[], inference_networks=dict)
    checkpoints = types.SimpleNamespace(save=lambda model, meta: saved.append(meta),
                                        latest=lambda: None)
    config = types.SimpleNamespace(batch_size=1, steps_per_epoch=None, epochs=1,
                                   checkpoint_every=0, log_every=1)
    return Trainer(model=model, data=_Data(), run=types.SimpleNamespace(path="run"),
                   config=config, stepper=_Stepper(fail), checkpoints=checkpoints,
                   callbacks=callbacks, console=console)


class _Boom(Callback):
    def on_train_end(self, trainer, status):
        raise RuntimeError("boom at the end")


class _Note(Callback):
    def __init__(self):
        self.statuses = []

    def on_train_end(self, trainer, status):
        self.statuses.append(status)


def test_a_failing_train_end_keeps_the_outcome_and_the_other_callbacks():
    """The trainer calls every callback's on_train_end even when one raises; that error
    is printed, and the run's own outcome (here: finished) is what fit reports."""
    note, out = _Note(), io.StringIO()
    trainer = _trainer([_Boom(), note], fail=False,
                       console=Console(file=out, force_terminal=False, width=200))
    assert trainer.fit() == "finished"
    assert note.statuses == ["finished"]
    assert "callback _Boom failed at the end: boom at the end" in out.getvalue()


def test_a_failing_train_end_does_not_mask_the_real_error():
    note = _Note()
    trainer = _trainer([_Boom(), note], fail=True,
                       console=Console(file=io.StringIO(), force_terminal=False))
    with pytest.raises(RuntimeError, match="the step exploded"):
        trainer.fit()
    assert note.statuses == ["failed"]


@pytest.mark.parametrize("name", ["cgtk.callbacks", "cgtk.callbacks.base"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
