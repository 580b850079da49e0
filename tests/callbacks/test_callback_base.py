import pytest

from cgtk.callbacks import (
    Callback,
    CallbackList,
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


def test_callback_list_runs_every_train_end():
    seen = []

    class Boom(Callback):
        def on_train_end(self, trainer, status):
            raise RuntimeError("boom")

    class Note(Callback):
        def on_train_end(self, trainer, status):
            seen.append(status)

    with pytest.raises(RuntimeError, match="boom"):
        CallbackList([Boom(), Note()]).on_train_end(None, "failed")
    assert seen == ["failed"]
