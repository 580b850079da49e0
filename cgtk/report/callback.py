"""The training callback that keeps ``RUN_DIR/status.json`` and ``RUN_DIR/report.html``
current: the status when training begins, both at each epoch end (after the sample grid
and losses.png are written, so at each sample interval) and when training ends.
A report that cannot be written never stops training: it is a warning.
"""
from __future__ import annotations

from cgtk.callbacks.base import Callback
from cgtk.report import status as run_status

__all__ = ["LiveReport"]


class LiveReport(Callback):
    def __init__(self, output=None):
        self.output = output
        self.warned = False

    def _guarded(self, trainer, action, *args, **kwargs) -> None:
        try:
            action(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - the report is never worth a failed run
            console = getattr(trainer, "console", None)
            if console is not None and not self.warned:
                console.print(f"[yellow]the run's report could not be written: {err}[/]")
            self.warned = True

    def _write(self, trainer) -> None:
        from cgtk.report import write_report

        self._guarded(trainer, write_report, trainer.run.path, self.output)

    def on_train_begin(self, trainer):
        self._guarded(trainer, run_status.begin_session, trainer.run.path,
                      step=trainer.global_step)

    def on_epoch_end(self, trainer, epoch):
        self._guarded(trainer, run_status.touch_session, trainer.run.path,
                      step=trainer.global_step)
        self._write(trainer)

    def on_train_end(self, trainer, status):
        self._guarded(trainer, run_status.end_session, trainer.run.path, status,
                      step=trainer.global_step)
        self._write(trainer)
