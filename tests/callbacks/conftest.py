"""A tiny stand-in for the trainer: only the attributes the callbacks read."""
import io
import types

import numpy as np
import pytest
from rich.console import Console


def make_run(root):
    run = types.SimpleNamespace(path=root, samples_dir=root / "samples", logs_dir=root / "logs",
                                metrics_csv=root / "metrics.csv", losses_png=root / "losses.png")
    run.samples_dir.mkdir(parents=True, exist_ok=True)
    run.logs_dir.mkdir(parents=True, exist_ok=True)
    return run


def fake_columns(n=3, size=16, lr_size=None):
    rng = np.random.default_rng(0)
    cols = {}
    if lr_size:
        cols["input (LR)"] = rng.uniform(-1, 1, (n, lr_size, lr_size, 3)).astype("float32")
    else:
        cols["input"] = rng.uniform(-1, 1, (n, size, size, 3)).astype("float32")
    cols["output"] = rng.uniform(-1, 1, (n, size, size, 3)).astype("float32")
    cols["target"] = np.ones((n, size, size, 3), "float32")
    return cols


class FakeTrainer(types.SimpleNamespace):
    """Counts sample_columns() calls so tests can check the grid is shared."""

    def sample_columns(self):
        self.sample_calls += 1
        return self.columns

    def learning_rates(self):
        return dict(self.lrs)


@pytest.fixture
def trainer(tmp_path):
    return FakeTrainer(
        global_step=0, epoch=0, epochs=2, steps_per_epoch=10, total_steps=20, step_in_epoch=0,
        batch_size=4, run=make_run(tmp_path / "run"), lrs={"generator": 2e-4, "discriminator": 1e-4},
        columns=fake_columns(), sample_calls=0,
        console=Console(file=io.StringIO(), force_terminal=False, width=200))


def make_rows(start, stop, epoch=0, t0=100.0, dt=0.5, **extra):
    """Rows for steps start..stop (inclusive), one per step, dt seconds apart."""
    return [{"step": s, "epoch": epoch, "time": t0 + s * dt,
             "G_gan": 1.0 / s, "D": 0.5 + 0.01 * s, **extra} for s in range(start, stop + 1)]


def advance(trainer, rows):
    """Move the fake trainer to the end of ``rows``."""
    trainer.global_step = rows[-1]["step"]
    trainer.epoch = rows[-1]["epoch"]
    trainer.step_in_epoch = trainer.global_step - trainer.epoch * trainer.steps_per_epoch


@pytest.fixture(name="make_rows")
def make_rows_fixture():
    return make_rows


@pytest.fixture(name="advance")
def advance_fixture():
    return advance


@pytest.fixture(name="fake_columns")
def fake_columns_fixture():
    return fake_columns
