"""TensorBoard event files in ``<run>/logs/``: ``tensorboard --logdir runs/``.

Tags: ``loss/<term>`` for every logged loss term at every step (the rows carry one
value per step, so TensorBoard's own smoothing has full resolution, and each point's
wall time is that step's), ``lr/<phase>`` and ``perf/images_per_sec`` once per logging
interval, and the ``samples`` image (the same grid as ``samples/epoch-NNN.png``, shared
through :func:`cgtk.callbacks.samples.sample_grid`) at each epoch end. Flushed at epoch
end and train end.

How: the Event protos are written directly with ``tf.io.TFRecordWriter`` (scalars as
``simple_value``, images as ``Summary.Image`` PNGs, which TensorBoard's scalar and image
plugins read). No TensorFlow op runs, so this costs microseconds per step instead of
``tf.summary``'s milliseconds, never starts TensorFlow's device runtime (no GPU memory
taken on the JAX backend), and does not need the ``tensorboard`` package, which
TensorFlow >= 2.20 no longer installs (viewing the logs does need it). TensorFlow is
imported only when training begins.

Each training session starts with a ``SessionLog.START`` event at its first step; on a
resume, TensorBoard then drops the old file's points logged after the checkpoint.

>>> TensorBoard(images=False).images
False
"""
from __future__ import annotations

import io
import itertools
import os
import socket
import time
from pathlib import Path

from cgtk.callbacks.base import RESERVED_KEYS, Callback, summarize

__all__ = ["TensorBoard", "EventWriter"]

_file_counter = itertools.count()   # orders files opened in the same second (as TF does)


class EventWriter:
    """A minimal TensorBoard event-file writer (one file per instance)."""

    def __init__(self, logdir):
        import tensorflow as tf
        from tensorflow.core.framework import summary_pb2
        from tensorflow.core.util import event_pb2

        self._summary_pb2, self._event_pb2 = summary_pb2, event_pb2
        logdir = Path(logdir)
        logdir.mkdir(parents=True, exist_ok=True)
        now = time.time()
        self.path = logdir / (f"events.out.tfevents.{int(now)}.{socket.gethostname()}."
                              f"{os.getpid()}.{next(_file_counter):06d}.v2")  # sorts in order
        self._writer = tf.io.TFRecordWriter(str(self.path))
        self._write(event_pb2.Event(wall_time=now, step=0, file_version="brain.Event:2"))
        self.flush()

    def _write(self, event) -> None:
        self._writer.write(event.SerializeToString())

    def scalars(self, step: int, values: dict, wall_time: float | None = None) -> None:
        """One event holding ``{tag: float}`` at ``step``."""
        summary = self._summary_pb2.Summary(value=[
            self._summary_pb2.Summary.Value(tag=tag, simple_value=float(v))
            for tag, v in values.items()])
        self._write(self._event_pb2.Event(wall_time=wall_time or time.time(), step=int(step),
                                          summary=summary))

    def image(self, tag: str, step: int, image) -> None:
        """A uint8 ``[H, W, 3]`` array, PNG-encoded."""
        from PIL import Image

        png = io.BytesIO()
        Image.fromarray(image).save(png, format="PNG")
        height, width = image.shape[:2]
        value = self._summary_pb2.Summary.Value(tag=tag, image=self._summary_pb2.Summary.Image(
            height=height, width=width, colorspace=3, encoded_image_string=png.getvalue()))
        self._write(self._event_pb2.Event(wall_time=time.time(), step=int(step),
                                          summary=self._summary_pb2.Summary(value=[value])))

    def session_start(self, step: int) -> None:
        """Tell TensorBoard a (resumed) session starts at ``step``: it drops older
        points with ``step >= step``."""
        log = self._event_pb2.SessionLog(status=self._event_pb2.SessionLog.START)
        self._write(self._event_pb2.Event(wall_time=time.time(), step=int(step),
                                          session_log=log))

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()


class TensorBoard(Callback):
    def __init__(self, logdir=None, *, images: bool = True):
        self.logdir = Path(logdir) if logdir is not None else None
        self.images = images
        self.writer: EventWriter | None = None

    def on_train_begin(self, trainer):
        if self.logdir is None:
            self.logdir = Path(trainer.run.logs_dir)
        self.writer = EventWriter(self.logdir)
        # TensorBoard ignores a run's first START and purges on later ones (resumes)
        self.writer.session_start(int(getattr(trainer, "global_step", 0) or 0) + 1)

    def on_logs(self, trainer, rows):
        if not rows or self.writer is None:
            return
        for row in rows:
            values = {f"loss/{k}": v for k, v in row.items()
                      if k not in RESERVED_KEYS and v is not None}
            self.writer.scalars(row["step"], values, wall_time=float(row["time"]))
        interval = summarize(trainer, rows)
        values = {f"lr/{phase}": lr for phase, lr in interval.learning_rates.items()}
        if interval.images_per_sec is not None:
            values["perf/images_per_sec"] = interval.images_per_sec
        if values:
            self.writer.scalars(interval.step, values, wall_time=interval.time)

    def on_epoch_end(self, trainer, epoch):
        if self.writer is None:
            return
        if self.images:
            from cgtk.callbacks.samples import sample_grid

            self.writer.image("samples", trainer.global_step, sample_grid(trainer))
        self.writer.flush()

    def on_train_end(self, trainer, status):
        if self.writer is not None:
            self.writer.close()
            self.writer = None
