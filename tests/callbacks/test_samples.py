import numpy as np
import pytest
from PIL import Image

from cgtk.callbacks import Samples, render_grid, sample_grid, write_grid
from cgtk.callbacks.samples import GAP, to_uint8


def cell(grid, header, r, c, h, w):
    y = header + GAP + r * (h + GAP)
    x = GAP + c * (w + GAP)
    return grid[y:y + h, x:x + w]


def test_grid_png_size_and_cells(tmp_path, fake_columns):
    cols = fake_columns(n=3, size=16)
    grid = write_grid(cols, tmp_path / "grid.png", min_size=0)
    with Image.open(tmp_path / "grid.png") as im:
        assert im.format == "PNG" and im.mode == "RGB"
        assert im.size == (grid.shape[1], grid.shape[0])
        assert np.array_equal(np.asarray(im), grid)
    assert grid.dtype == np.uint8
    assert grid.shape[1] == 3 * 16 + 4 * GAP                        # 3 columns
    header = grid.shape[0] - (3 * 16 + 4 * GAP)                     # 3 rows
    assert header >= 10                                             # a title strip
    assert (grid[:header] > 200).any()                              # with (white) text on it
    for c, images in enumerate(cols.values()):
        for r in range(3):
            assert np.array_equal(cell(grid, header, r, c, 16, 16), to_uint8(images)[r])


def test_small_lr_column_is_upscaled_nearest(fake_columns):
    cols = fake_columns(n=2, size=32, lr_size=8)
    grid = render_grid(cols, min_size=0)
    assert grid.shape[1] == 3 * 32 + 4 * GAP
    header = grid.shape[0] - (2 * 32 + 3 * GAP)
    lr = to_uint8(cols["input (LR)"])
    expected = lr[1].repeat(4, axis=0).repeat(4, axis=1)
    assert np.array_equal(cell(grid, header, 1, 0, 32, 32), expected)


def test_non_integer_ratio_and_min_size(fake_columns):
    cols = {"a": np.zeros((1, 10, 10, 1)), "b": np.zeros((1, 24, 24, 3))}
    grid = render_grid(cols, min_size=64)                           # 24 px -> x3 = 72 px
    assert grid.shape[1] == 2 * 72 + 3 * GAP


def test_values_mapped_from_minus_one_one():
    assert to_uint8(np.array([[[[-1.0, 0.0, 1.0]]]])).tolist() == [[[[0, 128, 255]]]]
    assert to_uint8(np.array([[[[-5.0, np.nan, 7.0]]]])).tolist() == [[[[0, 128, 255]]]]


def test_mismatched_batch_sizes_rejected():
    with pytest.raises(ValueError, match="different batch sizes"):
        render_grid({"a": np.zeros((2, 8, 8, 3)), "b": np.zeros((3, 8, 8, 3))})


def test_samples_callback_writes_one_based_epoch_and_shares_grid(trainer, tmp_path):
    samples = Samples()
    trainer.global_step, trainer.epoch = 10, 0
    samples.on_epoch_end(trainer, 0)
    assert sample_grid(trainer) is trainer.last_grid.image   # what TensorBoard calls
    path = trainer.run.samples_dir / "epoch-001.png"
    assert path.exists()
    assert trainer.sample_calls == 1                                # rendered once, shared
    assert np.array_equal(np.asarray(Image.open(path)), trainer.last_grid.image)
    trainer.global_step, trainer.epoch = 20, 1
    samples.on_epoch_end(trainer, 1)
    assert (trainer.run.samples_dir / "epoch-002.png").exists()
    assert trainer.sample_calls == 2


def test_samples_every(trainer):
    cb = Samples(every=2)
    trainer.epochs = 3
    for epoch in range(3):
        trainer.global_step = (epoch + 1) * 10
        cb.on_epoch_end(trainer, epoch)
    names = sorted(p.name for p in trainer.run.samples_dir.iterdir())
    assert names == ["epoch-002.png", "epoch-003.png"]             # every 2nd, and the last
