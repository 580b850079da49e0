import io

import numpy as np
import pytest
from PIL import Image

from cgtk.callbacks import TensorBoard


def read_events(logdir):
    """{tag: [(step, Summary.Value)]} and the session-start steps, over all event files."""
    import tensorflow as tf

    found, starts = {}, []
    for path in sorted(logdir.glob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            if event.HasField("session_log"):
                starts.append(event.step)
            for value in event.summary.value:
                found.setdefault(value.tag, []).append((event.step, value))
    return found, starts


def test_scalars_and_image_written(trainer, make_rows, advance):
    cb = TensorBoard()
    cb.on_train_begin(trainer)
    for start in (1, 6):
        rows = make_rows(start, start + 4)
        advance(trainer, rows)
        cb.on_logs(trainer, rows)
    cb.on_epoch_end(trainer, 0)
    cb.on_train_end(trainer, "finished")

    events, starts = read_events(trainer.run.logs_dir)
    assert starts == [1]
    assert {"loss/G_gan", "loss/D", "lr/generator", "lr/discriminator",
            "perf/images_per_sec", "samples"} <= set(events)
    g_gan = events["loss/G_gan"]
    assert [step for step, _ in g_gan] == list(range(1, 11))          # every step
    assert g_gan[2][1].simple_value == pytest.approx(1 / 3)
    step, lr = events["lr/generator"][-1]
    assert step == 10 and lr.simple_value == pytest.approx(2e-4)
    assert events["perf/images_per_sec"][0][1].simple_value == pytest.approx(8.0)

    step, value = events["samples"][0]
    assert step == 10
    decoded = np.asarray(Image.open(io.BytesIO(value.image.encoded_image_string)))
    assert decoded.shape == (value.image.height, value.image.width, 3)
    assert np.array_equal(decoded, trainer.last_grid.image)


def test_resume_marks_session_start(trainer, make_rows, advance):
    first = TensorBoard(images=False)
    first.on_train_begin(trainer)
    rows = make_rows(1, 20)
    advance(trainer, rows)
    first.on_logs(trainer, rows)
    first.on_train_end(trainer, "interrupted")
    trainer.global_step = 10                                          # resumed checkpoint
    cb = TensorBoard(images=False)
    cb.on_train_begin(trainer)
    rows = make_rows(11, 12)
    advance(trainer, rows)
    cb.on_logs(trainer, rows)
    cb.on_epoch_end(trainer, 1)
    cb.on_train_end(trainer, "interrupted")
    events, starts = read_events(trainer.run.logs_dir)
    assert starts == [1, 11]                   # TensorBoard purges steps >= 11 of run 1
    assert "samples" not in events
    assert [s for s, _ in events["loss/D"]][-2:] == [11, 12]
