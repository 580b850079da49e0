"""``cgtk train --resume RUN_DIR``: continue a run exactly where it stopped (or, with
``restart``, train it again from step 0 with its config).

>>> resume_summary(20, 0, 50, 30)
'20 epochs done (1000 steps); continuing with epoch 21 of 30'
>>> resume_summary(1, 12, 50, 30)
'1 epoch and 12 of 50 steps done (62 steps); continuing epoch 2 of 30 at step 13'
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from cgtk.app.feedback import Feedback
from cgtk.app.train import TrainRequest, TrainResult, train
from cgtk.errors import CgtkError

__all__ = ["ResumeRequest", "locate_run", "resume", "resume_summary"]


@dataclass
class ResumeRequest:
    """``cgtk train [PLUGIN_OR_RUN_DIR] --resume [--run-dir RUN_DIR] [flags]``.

    ``target``: the positional argument, a plugin name or the run directory;
    ``train``: every other flag, as for a new run (``run_dir`` may name the run).
    """

    target: str | None
    train: TrainRequest


def locate_run(target: str | None, run_dir: Path | None) -> tuple[Path, str | None]:
    """``(run directory, plugin name or None)`` of ``--resume``: the positional argument
    when it is a run directory, else ``--run-dir``; a one-line error otherwise."""
    if target and (Path(target) / "config.json").is_file():
        return Path(target), None
    if run_dir is not None:
        return Path(run_dir), target
    if target and ("/" in target or Path(target).exists()):  # a path, not a plugin
        if not Path(target).is_dir():
            raise CgtkError(f"--resume {target}: no such directory")
        raise CgtkError(f"--resume {target}: not a cgtk run directory (it has no "
                        "config.json)", hint="pass the folder 'cgtk train' wrote")
    raise CgtkError("--resume needs a run directory",
                    hint="cgtk train --resume RUN_DIR, or --run-dir RUN_DIR --resume")


def resume(request: ResumeRequest, feedback: Feedback | None = None, *,
           callbacks=None) -> TrainResult:
    """Find the run, then train it on from its newest good checkpoint."""
    run_dir, plugin = locate_run(request.target, request.train.run_dir)
    train_request = dataclasses.replace(request.train, plugin=plugin, resume=run_dir)
    return train(train_request, feedback, callbacks=callbacks)


def resume_summary(epoch: int, step_in_epoch: int, steps_per_epoch: int, epochs: int) -> str:
    """What a resumed run has done and what comes next (``epoch``: epochs completed)."""
    done = epoch * steps_per_epoch + step_in_epoch
    epochs_done = f"{epoch} epoch{'' if epoch == 1 else 's'}"
    if step_in_epoch:
        return (f"{epochs_done} and {step_in_epoch} of {steps_per_epoch} steps done "
                f"({done} steps); continuing epoch {epoch + 1} of {epochs} at step "
                f"{step_in_epoch + 1}")
    return f"{epochs_done} done ({done} steps); continuing with epoch {epoch + 1} of {epochs}"
