import io

from rich.console import Console

from cgtk.callbacks import Progress


def output(trainer):
    return trainer.console.file.getvalue()


def test_plain_lines_when_not_a_terminal(trainer, make_rows, advance):
    p = Progress(plain_every=0)
    p.on_train_begin(trainer)
    for start in (1, 5, 9):
        rows = make_rows(start, start + 3 if start < 9 else 10)
        for row in rows:
            advance(trainer, [row])
            p.on_step(trainer)
        p.on_logs(trainer, rows)
    lines = output(trainer).splitlines()
    assert len(lines) == 2                    # the epoch's last interval waits for its epoch line
    assert lines[0].startswith("epoch 1/2  step 4/20  G_gan=")
    assert " D=" in lines[0] and "8.0 img/s" in lines[0] and "ETA 0:00:08" in lines[0]
    assert lines[1].startswith("epoch 1/2  step 8/20") and "ETA 0:00:06" in lines[1]
    assert "\x1b[" not in output(trainer)                           # no escape codes
    trainer.epoch = 1                                               # as the real trainer does
    p.on_epoch_end(trainer, 0)
    p.on_train_end(trainer, "finished")
    lines = output(trainer).splitlines()
    assert len(lines) == 3 and lines[2].startswith("epoch 1/2  step 10/20") and "elapsed" in lines[2]


def test_plain_lines_are_rate_limited(trainer, make_rows, advance):
    p = Progress(plain_every=3600)
    p.on_train_begin(trainer)
    for start in range(1, 20, 2):
        rows = make_rows(start, start + 1)
        advance(trainer, rows)
        p.on_logs(trainer, rows)
    assert len(output(trainer).splitlines()) == 1                    # the first one only
    p.on_train_end(trainer, "interrupted")
    last = output(trainer).splitlines()[-1]
    assert last.startswith("interrupted at epoch 1/2  step 20/20")


def test_smoothing_is_an_ema(trainer, make_rows, advance):
    p = Progress(smoothing=1)                                         # alpha 1: last value
    p.on_train_begin(trainer)
    rows = make_rows(1, 4)
    p.on_logs(trainer, rows)
    assert p.ema["G_gan"] == 0.25
    p = Progress(smoothing=3)                                         # alpha 0.5
    p.on_train_begin(trainer)
    p.on_logs(trainer, [{"step": 1, "epoch": 0, "time": 0.0, "x": 0.0},
                        {"step": 2, "epoch": 0, "time": 1.0, "x": 1.0}])
    assert p.ema["x"] == 0.5


def test_terminal_bar_shows_terms(trainer, make_rows, advance):
    trainer.console = Console(file=io.StringIO(), force_terminal=True, width=160)
    p = Progress()
    p.on_train_begin(trainer)
    for epoch in range(2):
        rows = make_rows(1 + 10 * epoch, 10 + 10 * epoch, epoch=epoch)
        for row in rows:
            advance(trainer, [row])
            p.on_step(trainer)
        p.on_logs(trainer, rows)
        p._bar.refresh()
        assert "G_gan=" in output(trainer) and "img/s" in output(trainer)
        p.on_epoch_end(trainer, epoch)
    p.on_train_end(trainer, "finished")
    text = output(trainer)
    assert "epoch 1/2  step 10/20" in text and "epoch 2/2  step 20/20" in text
    assert p._bar is None


def test_line_uses_the_rows_epoch(trainer, make_rows):
    """The trainer moves to the next epoch before the epoch's last flush."""
    p = Progress(plain_every=0)
    p.on_train_begin(trainer)
    trainer.global_step, trainer.epoch = 9, 1
    p.on_logs(trainer, make_rows(1, 9, epoch=0))
    assert output(trainer).startswith("epoch 1/2  step 9/20")


def test_a_stop_after_the_last_epoch_never_shows_epoch_2_of_1(trainer):
    """Issue 21 item 9: stopped at the end (the trainer's 0-based epoch is already
    ``epochs``) with no rows in this process, the line used to say ``epoch 2/1``."""
    trainer.epochs, trainer.total_steps = 1, 10
    trainer.global_step, trainer.epoch, trainer.step_in_epoch = 10, 1, 0
    p = Progress(plain_every=0)
    p.on_train_begin(trainer)
    p.on_train_end(trainer, "interrupted")
    assert output(trainer).startswith("interrupted at epoch 1/1  step 10/10")
    assert "2/1" not in output(trainer)
