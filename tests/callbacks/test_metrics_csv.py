import csv

import pytest

from cgtk.callbacks import MetricsCSV


def read(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def log(cb, trainer, rows, advance):
    advance(trainer, rows)
    cb.on_logs(trainer, rows)


def test_rows_header_and_means(trainer, make_rows, advance):
    cb = MetricsCSV()
    cb.on_train_begin(trainer)
    log(cb, trainer, make_rows(1, 5), advance)
    log(cb, trainer, make_rows(6, 10), advance)
    log(cb, trainer, make_rows(11, 15, epoch=1), advance)
    header, rows = read(trainer.run.metrics_csv)
    assert header == ["step", "epoch", "time", "images_per_sec", "G_gan", "D",
                      "lr_generator", "lr_discriminator"]
    assert [r["step"] for r in rows] == ["5", "10", "15"]
    assert [r["epoch"] for r in rows] == ["1", "1", "2"]            # 1-based
    assert float(rows[0]["G_gan"]) == pytest.approx(sum(1 / s for s in range(1, 6)) / 5)
    assert float(rows[1]["D"]) == pytest.approx(0.58)
    # 4 steps of batch 4 in 2 s inside the interval
    assert float(rows[0]["images_per_sec"]) == pytest.approx(8.0)
    assert float(rows[0]["lr_generator"]) == pytest.approx(2e-4)


def test_new_column_rewrites_with_union_header(trainer, make_rows, advance):
    cb = MetricsCSV()
    cb.on_train_begin(trainer)
    log(cb, trainer, make_rows(1, 5), advance)
    trainer.lrs["style"] = 1e-3
    log(cb, trainer, make_rows(6, 10, G_l1=0.25), advance)
    log(cb, trainer, make_rows(11, 12), advance)                     # G_l1 missing again
    header, rows = read(trainer.run.metrics_csv)
    assert header == ["step", "epoch", "time", "images_per_sec", "G_gan", "D", "G_l1",
                      "lr_generator", "lr_discriminator", "lr_style"]
    assert [r["G_l1"] for r in rows] == ["", "0.25", ""]
    assert rows[0]["lr_style"] == "" and float(rows[1]["lr_style"]) == pytest.approx(1e-3)
    assert float(rows[0]["D"]) == pytest.approx(0.53)               # old values survive


def test_single_row_interval_uses_previous_time(trainer, make_rows, advance):
    cb = MetricsCSV()
    cb.on_train_begin(trainer)
    for s in (1, 2):
        log(cb, trainer, make_rows(s, s), advance)
    _, rows = read(trainer.run.metrics_csv)
    assert rows[0]["images_per_sec"] == ""                           # nothing to measure yet
    assert float(rows[1]["images_per_sec"]) == pytest.approx(8.0)   # 4 images in 0.5 s


@pytest.mark.parametrize("before_begin", [True, False])
def test_truncate_after_then_resume_appends(trainer, make_rows, advance, before_begin):
    first = MetricsCSV(trainer.run.metrics_csv)
    first.on_train_begin(trainer)
    for start in (1, 6, 11, 16):
        log(first, trainer, make_rows(start, start + 4), advance)
    with open(trainer.run.metrics_csv, "a") as f:
        f.write("21,3,1")                                           # killed mid-write
    # resume from a checkpoint at step 10
    resumed = MetricsCSV() if before_begin else MetricsCSV(trainer.run.metrics_csv)
    if before_begin:
        resumed.truncate_after(10)
        resumed.on_train_begin(trainer)
    else:
        resumed.on_train_begin(trainer)
        resumed.truncate_after(10)
    assert [r["step"] for r in read(trainer.run.metrics_csv)[1]] == ["5", "10"]
    log(resumed, trainer, make_rows(11, 15), advance)
    header, rows = read(trainer.run.metrics_csv)
    assert [r["step"] for r in rows] == ["5", "10", "15"]
    assert header[:4] == ["step", "epoch", "time", "images_per_sec"]


def test_truncate_missing_file_is_noop(tmp_path):
    cb = MetricsCSV(tmp_path / "metrics.csv")
    cb.truncate_after(100)
    assert not (tmp_path / "metrics.csv").exists()
