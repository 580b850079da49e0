"""TensorBoard event files in ``<run>/logs/``: ``tensorboard --logdir runs/``.

Tags: ``loss/<term>`` for every logged loss term at every step (the rows carry one
value per step, so TensorBoard's own smoothing has full resolution), ``lr/<phase>`` and
``perf/images_per_sec`` once per logging interval, and the ``samples`` image (the same
grid as ``samples/epoch-NNN.png``, shared through
:func:`cgtk.callbacks.samples.sample_grid`) at each epoch end. Flushed at epoch end and
train end. TensorFlow (always installed, also on the JAX backend) is imported only when
training begins; summaries are written on the CPU.

>>> TensorBoard(images=False).images
False
"""
from __future__ import annotations

from pathlib import Path

from cgtk.callbacks.base import RESERVED_KEYS, Callback, summarize

__all__ = ["TensorBoard"]


class TensorBoard(Callback):
    def __init__(self, logdir=None, *, images: bool = True):
        self.logdir = Path(logdir) if logdir is not None else None
        self.images = images
        self._tf = None
        self._writer = None

    def on_train_begin(self, trainer):
        import tensorflow as tf

        self._tf = tf
        if self.logdir is None:
            self.logdir = Path(trainer.run.logs_dir)
        self.logdir.mkdir(parents=True, exist_ok=True)
        with tf.device("/cpu:0"):
            self._writer = tf.summary.create_file_writer(str(self.logdir))

    def on_logs(self, trainer, rows):
        if not rows or self._writer is None:
            return
        tf = self._tf
        interval = summarize(trainer, rows)
        with tf.device("/cpu:0"), self._writer.as_default():
            for row in rows:
                step = int(row["step"])
                for key, value in row.items():
                    if key not in RESERVED_KEYS and value is not None:
                        tf.summary.scalar(f"loss/{key}", float(value), step=step)
            for phase, lr in interval.learning_rates.items():
                tf.summary.scalar(f"lr/{phase}", lr, step=interval.step)
            if interval.images_per_sec is not None:
                tf.summary.scalar("perf/images_per_sec", interval.images_per_sec,
                                  step=interval.step)

    def on_epoch_end(self, trainer, epoch):
        if self._writer is None:
            return
        if self.images:
            from cgtk.callbacks.samples import sample_grid

            grid = sample_grid(trainer)
            with self._tf.device("/cpu:0"), self._writer.as_default():
                self._tf.summary.image("samples", grid[None], step=int(trainer.global_step),
                                       max_outputs=1,
                                       description=f"epoch {epoch + 1}")
        self._writer.flush()

    def on_train_end(self, trainer, status):
        if self._writer is not None:
            self._writer.flush()
            self._writer.close()
            self._writer = None
