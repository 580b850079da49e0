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



def test_train_end_redraws_only_when_the_csv_changed(trainer, make_rows, advance, monkeypatch):
    import cgtk.callbacks.loss_plot as loss_plot

    draws = []
    real = loss_plot.plot_losses
    monkeypatch.setattr(loss_plot, "plot_losses", lambda *a, **k: draws.append(1) or real(*a, **k))
    csv_cb, plot = MetricsCSV(), LossPlot()
    csv_cb.on_train_begin(trainer)
    rows = make_rows(1, 2, epoch=0, G_l1=0.1)
    advance(trainer, rows)
    csv_cb.on_logs(trainer, rows)
    plot.on_epoch_end(trainer, 0)
    plot.on_train_end(trainer, "finished")          # nothing new since the epoch's draw
    assert len(draws) == 1
    rows = make_rows(3, 4, epoch=0, G_l1=0.2)
    advance(trainer, rows)
    csv_cb.on_logs(trainer, rows)                    # a partial interval flushed at the end
    plot.on_train_end(trainer, "interrupted")
    assert len(draws) == 2

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


def test_single_term_phase_is_one_panel(tmp_path, monkeypatch):
    """pix2pix logs D and loss_discriminator, the same curve: one panel, not two."""
    from matplotlib.figure import Figure

    drawn = []
    real_savefig = Figure.savefig
    monkeypatch.setattr(Figure, "savefig",
                        lambda self, *a, **k: drawn.append(self) or real_savefig(self, *a, **k))
    lines = ["step,epoch,time,images_per_sec,G_GAN,G_L1,loss_generator,D,loss_discriminator,"
             "lr_generator,lr_discriminator"]
    for s in range(1, 31):
        g, l1, d = 1 + s / 30, 70 - s, 0.9 - s / 100
        lines.append(f"{s},{1 + s // 10},{s},10,{g},{l1},{g + l1},{d},{d},2e-4,2e-4")
    (tmp_path / "m.csv").write_text("\n".join(lines) + "\n")
    assert plot_losses(tmp_path / "m.csv", tmp_path / "l.png")
    titles = [ax.get_title() for ax in drawn[-1].axes if ax.get_visible()]
    loss_titles = [t for t in titles if t != "learning rate"]
    assert len(loss_titles) == 4, titles           # G_GAN, G_L1, loss_generator, D
    assert sum("loss_discriminator" in t for t in titles) == 1
    assert any(t.startswith("D (= loss_discriminator)") for t in titles)
    assert any(t.startswith("loss_generator") for t in titles)  # a 2-term total stays
