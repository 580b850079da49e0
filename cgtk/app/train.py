"""``cgtk train``: build a plugin's model with the one builder and train it.

>>> from cgtk.app.train import TrainRequest
>>> TrainRequest(plugin="pix2pix", data="demo", sets=["ngf=8"]).plugin
'pix2pix'
"""
from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path

from cgtk.app.feedback import Feedback
from cgtk.engine.builder import TrainRequest  # noqa: F401 - the request of this use case

__all__ = ["TrainRequest", "TrainResult", "train", "train_built"]


@dataclass
class TrainResult:
    """How a training run ended.

    Attributes:
        run_dir: the run directory.
        status: ``finished``, ``already_finished`` (a resumed run with nothing left) or
            ``interrupted`` (SIGINT/SIGTERM: a checkpoint was written).
        exit_code: 0; 130 / 143 when interrupted by SIGINT / SIGTERM.
        inference_files: the ``.keras`` files written, e.g. ``["a2b.keras", "b2a.keras"]``.
        global_step, epochs, steps_per_epoch: where training stopped.
        signal_name: the signal that interrupted it, if any.
    """

    run_dir: Path
    status: str
    exit_code: int = 0
    inference_files: list[str] = field(default_factory=list)
    global_step: int = 0
    epochs: int = 0
    steps_per_epoch: int = 0
    signal_name: str | None = None


def train(request: TrainRequest, feedback: Feedback | None = None, *,
          callbacks=None) -> TrainResult:
    """Resolve, build and train; the run directory is locked while it runs.

    ``callbacks``: None for the defaults, or a list (tests watch a run this way).
    """
    from cgtk.engine.builder import build, resolve

    feedback = feedback or Feedback()
    feedback.info("preparing (importing the backend, building the data and networks)...")
    spec = resolve(request)
    trainer = build(spec, console=feedback.console, callbacks=callbacks)  # takes the lock
    try:
        return train_built(trainer, spec.notes, feedback)
    finally:
        trainer.run.unlock()


def train_built(trainer, notes, feedback: Feedback) -> TrainResult:
    """Train a built :class:`~cgtk.engine.trainer.Trainer` to the end."""
    from cgtk.app.resume import resume_summary
    from cgtk.engine.trainer import Interrupted

    run = trainer.run

    def result(status, code=0, sig=None):
        return TrainResult(run.path, status, code,
                           [f"{n}.keras" for n in trainer.model.inference_networks()],
                           trainer.global_step, trainer.epochs, trainer.steps_per_epoch, sig)

    for note in notes:
        feedback.warn(note)
    if trainer.finished:
        return result("already_finished")
    if trainer.resumed_from:
        feedback.info(resume_summary(trainer.epoch, trainer.step_in_epoch,
                                     trainer.steps_per_epoch, trainer.epochs))
    dist = trainer.distribution
    where = "resuming" if trainer.resumed_from else "starting"
    feedback.info(f"{where}: {trainer.model.name} on {trainer.config.backend} "
                  f"({dist.kind}, {dist.num_replicas} device(s), {dist.platform}, "
                  f"jit={'on' if trainer.jit else 'off'}, {trainer.config.precision}), "
                  f"{trainer.epochs} epochs x {trainer.steps_per_epoch} steps, "
                  f"batch {trainer.batch_size}; run: {run.path}")
    try:
        trainer.fit()
    except Interrupted as stop:
        code = (128 + int(stop.signum) if stop.signum in (signal.SIGINT, signal.SIGTERM)
                else 1)
        return result("interrupted", code, str(stop))
    return result("finished")
