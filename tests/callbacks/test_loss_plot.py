from PIL import Image

from cgtk.callbacks import LossPlot, MetricsCSV, plot_losses


def test_losses_png_from_metrics_csv(trainer, make_rows, advance):
    csv_cb, plot = MetricsCSV(), LossPlot()
    csv_cb.on_train_begin(trainer)
    plot.on_train_begin(trainer)
    for epoch in range(2):
        for start in range(1 + 10 * epoch, 11 + 10 * epoch, 2):
            rows = make_rows(start, start + 1, epoch=epoch, G_l1=0.1)
            advance(trainer, rows)
            csv_cb.on_logs(trainer, rows)
        plot.on_epoch_end(trainer, epoch)
        with Image.open(trainer.run.losses_png) as im:
            im.verify()
            assert im.format == "PNG"
    with Image.open(trainer.run.losses_png) as im:
        # 3 terms + the learning-rate panel, one row of 4 panels
        assert im.size[0] > 1000 and im.size[1] > 250
    trainer.run.losses_png.unlink()
    plot.on_train_end(trainer, "interrupted")
    assert trainer.run.losses_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_to_plot_writes_nothing(tmp_path):
    (tmp_path / "m.csv").write_text("step,epoch,time,images_per_sec\n")
    assert plot_losses(tmp_path / "m.csv", tmp_path / "l.png") is False
    assert plot_losses(tmp_path / "missing.csv", tmp_path / "l.png") is False
    assert not (tmp_path / "l.png").exists()


def test_negative_nan_and_gaps_plot(tmp_path):
    lines = ["step,epoch,time,images_per_sec,W,G,lr_g"]
    lines += [f"{s},{1 + s // 50},{s},,{-s / 10},{'nan' if s == 7 else ''},{1e-4}"
              for s in range(1, 200)]
    (tmp_path / "m.csv").write_text("\n".join(lines) + "\n")
    assert plot_losses(tmp_path / "m.csv", tmp_path / "l.png", title="run-1")
    with Image.open(tmp_path / "l.png") as im:
        im.verify()
