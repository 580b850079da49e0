from dataclasses import dataclass

import numpy as np
import pytest
import tensorflow as tf
from datafiles import pattern, save, write_bad_files, write_odd_files

from cgtk.config import TrainConfig, option
from cgtk.data import load_eval_data, load_train_data, resolve_source, sample_inputs
from cgtk.errors import CgtkError


@dataclass
class Cfg(TrainConfig):
    direction: str = option("AtoB", "direction")
    scale: int = option(4, "SR scale")
    style_image: str | None = option(None, "style image")


def cfg(**kw):
    base = dict(batch_size=2, image_size=32, seed=3, max_bad_fraction=0.01)
    base.update(kw)
    return Cfg(**base)


def batches(ds):
    return [tuple(np.asarray(x) for x in (b if isinstance(b, tuple) else (b,))) for b in ds]


def check_batch(batch, shapes):
    for x, shape in zip(batch, shapes, strict=True):
        assert x.shape == shape and x.dtype == np.float32
        assert x.min() >= -1.0 and x.max() <= 1.0


@pytest.fixture()
def unpaired_dir(tmp_path):
    for d, n in (("trainA", 5), ("trainB", 3), ("testA", 2), ("testB", 2)):
        for i in range(n):
            save(tmp_path / d / f"{i}.png", pattern(40, 48, i + len(d)))
    return tmp_path


@pytest.mark.parametrize("kind", ["unpaired", "paired", "single", "style"])
def test_demo_every_kind(kind):
    size = 32
    data = load_train_data(resolve_source("demo", kind), cfg(image_size=size))
    assert data.num_examples == 200 and data.skipped == []
    batch = batches(data.dataset(0).take(1))[0]
    if kind == "single":
        check_batch(batch, [(2, 8, 8, 3), (2, 32, 32, 3)])
    elif kind == "style":
        check_batch(batch, [(2, 32, 32, 3)])
        assert data.extras["style_image"].dtype == np.float32
    else:
        check_batch(batch, [(2, size, size, 3)] * 2)
    spec = data.dataset(0).element_spec
    spec = spec if isinstance(spec, tuple) else (spec,)
    assert all(s.shape.is_fully_defined() and s.shape[0] == 2 for s in spec)  # static shapes


def test_unpaired_folder_and_epoch_length(unpaired_dir):
    data = load_train_data(resolve_source(str(unpaired_dir), "unpaired"), cfg())
    assert data.num_examples == 5 and data.steps_per_epoch(2) == 2
    assert len(batches(data.dataset(0))) == 2
    longer = load_train_data(resolve_source(str(unpaired_dir), "unpaired"),
                             cfg(epoch_length=9, load_size=36))
    assert longer.steps_per_epoch(2) == 4
    check_batch(batches(longer.dataset(1))[0], [(2, 32, 32, 3)] * 2)
    assert data.steps_per_epoch(64) == 1 and len(batches(data.dataset(0, batch_size=64))) == 1


def test_determinism_and_resume(unpaired_dir):
    src = resolve_source(str(unpaired_dir), "unpaired")
    data = load_train_data(src, cfg(batch_size=1, epoch_length=8))
    full = batches(data.dataset(2))
    again = batches(load_train_data(src, cfg(batch_size=1, epoch_length=8)).dataset(2))
    tail = batches(data.dataset(2, skip_batches=3))
    assert len(full) == 8 and len(tail) == 5
    for x, y in zip(full, again, strict=True):
        np.testing.assert_array_equal(x[0], y[0])
    for x, y in zip(full[3:], tail, strict=True):
        np.testing.assert_array_equal(x[0], y[0])
        np.testing.assert_array_equal(x[1], y[1])
    other = batches(data.dataset(3))
    assert any(not np.array_equal(x[0], y[0]) for x, y in zip(full, other, strict=True))
    assert data.indices(2, 8)[0].tolist() != data.indices(3, 8)[0].tolist()


def test_paired_same_crop_and_flip(tmp_path):
    # B == A: any difference in crop or flip between A and B shows as a mismatch
    for i in range(4):
        img = pattern(44, 52, i)
        save(tmp_path / "ab" / "train" / "A" / f"{i}.png", img)
        save(tmp_path / "ab" / "train" / "B" / f"{i}.png", img)
        save(tmp_path / "p2p" / "train" / f"{i}.png", np.concatenate([img, img], 1))
    for name in ("ab", "p2p"):
        src = resolve_source(str(tmp_path / name), "paired")
        assert src.layout == {"ab": "ab_folders", "p2p": "pix2pix"}[name]
        for epoch in range(3):
            for a, b in batches(load_train_data(src, cfg()).dataset(epoch)):
                np.testing.assert_array_equal(a, b)
    # and flips/crops do happen: the crops differ across epochs
    src = resolve_source(str(tmp_path / "ab"), "paired")
    data = load_train_data(src, cfg(batch_size=4))
    assert not np.array_equal(batches(data.dataset(0))[0][0], batches(data.dataset(1))[0][0])


def test_paired_direction_and_size_mismatch(tmp_path):
    save(tmp_path / "train" / "A" / "x.png", np.zeros((32, 32, 3), np.uint8))
    save(tmp_path / "train" / "B" / "x.png", np.full((32, 32, 3), 255, np.uint8))
    src = resolve_source(str(tmp_path), "paired")
    a, b = batches(load_train_data(src, cfg(batch_size=1, direction="BtoA")).dataset(0))[0]
    assert a.min() == 1.0 and b.max() == -1.0
    # (taller, not shorter: an image below the 32 px crop is skipped before pairing)
    save(tmp_path / "train" / "B" / "x.png", np.zeros((34, 32, 3), np.uint8))
    with pytest.raises(CgtkError) as info:
        load_train_data(resolve_source(str(tmp_path), "paired"), cfg())
    assert "A/x.png" in str(info.value) and "B/x.png" in str(info.value)


def test_sr_lr_aligned_with_hr(tmp_path):
    for i in range(3):
        save(tmp_path / "flat" / f"{i}.png", pattern(70, 90, i))
    data = load_train_data(resolve_source(str(tmp_path / "flat"), "single"),
                           cfg(image_size=32, scale=4))
    for lr, hr in batches(data.dataset(0)):
        assert lr.shape == (2, 8, 8, 3) and hr.shape == (2, 32, 32, 3)
        expected = tf.image.resize(hr, [8, 8], "bicubic", antialias=True).numpy()
        assert np.abs(lr - np.clip(expected, -1, 1)).max() <= 1.01 / 127.5
    # with an LR/ folder: the LR crop is cut from the LR image at the aligned offset
    root = tmp_path / "withlr"
    for i in range(3):
        hr = pattern(64, 96, i)
        save(root / "train" / f"{i}.png", hr)
        lr = tf.image.resize(hr[None].astype(np.float32), [16, 24], "bicubic", antialias=True)
        save(root / "train" / "LR" / f"{i}.png",
             np.clip(np.round(lr[0].numpy()), 0, 255).astype(np.uint8))
    src = resolve_source(str(root), "single")
    data = load_train_data(src, cfg(image_size=32, scale=4, seed=5))
    for lr, hr in batches(data.dataset(0)):
        down = np.clip(tf.image.resize(hr, [8, 8], "bicubic", antialias=True).numpy(), -1, 1)
        # compare away from the crop border, where the whole-image LR saw other pixels
        assert np.abs(lr[:, 2:-2, 2:-2] - down[:, 2:-2, 2:-2]).mean() < 0.03
    with pytest.raises(CgtkError, match="multiple of scale"):
        load_train_data(src, cfg(image_size=30, scale=4))


def test_bad_files_are_skipped_or_fail(tmp_path):
    for i in range(3):
        save(tmp_path / "train" / f"good{i}.png", pattern(40 + 8 * i, 36, i))  # mixed sizes
    bad = write_bad_files(tmp_path / "train")
    write_odd_files(tmp_path / "train")
    src = resolve_source(str(tmp_path), "style")
    with pytest.raises(CgtkError) as info:
        load_train_data(src, cfg(style_image=str(tmp_path / "train" / "good0.png")))
    assert "3 of 13 files are unusable" in str(info.value)
    assert "max_bad_fraction" in str(info.value)
    data = load_train_data(src, cfg(max_bad_fraction=0.5, batch_size=5,
                                    style_image=str(tmp_path / "train" / "good0.png")))
    assert data.num_examples == 10
    assert {p for p, _ in data.skipped} == {str(p) for p in bad.values()}
    for (content,) in batches(data.dataset(0)):
        check_batch((content,), [(5, 32, 32, 3)])


def test_file_store_matches_memory_store(tmp_path, monkeypatch):
    for i in range(4):
        save(tmp_path / "train" / f"{i}.png", pattern(40, 40, i))
    write_odd_files(tmp_path / "train")
    src = resolve_source(str(tmp_path), "style")
    style = str(tmp_path / "train" / "0.png")
    in_memory = batches(load_train_data(src, cfg(style_image=style)).dataset(0))
    monkeypatch.setenv("CGTK_DATA_CACHE_MB", "0")
    from_files = load_train_data(src, cfg(style_image=style))
    assert type(from_files.data.roles["content"]).__name__ == "FileStore"
    for x, y in zip(in_memory, batches(from_files.dataset(0)), strict=True):
        np.testing.assert_allclose(x[0], y[0], atol=1e-6)


def test_empty_split_and_missing_style(tmp_path):
    (tmp_path / "trainA").mkdir()
    save(tmp_path / "trainB" / "x.png", pattern(32, 32))
    with pytest.raises(CgtkError, match="no usable domain A"):
        load_train_data(resolve_source(str(tmp_path), "unpaired"), cfg())
    save(tmp_path / "c" / "x.png", pattern(32, 32))
    with pytest.raises(CgtkError, match="style image"):
        load_train_data(resolve_source(str(tmp_path / "c"), "style"), cfg())


def test_eval_data(unpaired_dir, shared_data, tmp_path):
    ev = load_eval_data(resolve_source(str(unpaired_dir), "unpaired"), cfg())
    assert ev.split == "test"
    a = ev.domain("A")
    assert len(a) == 2 and a[0][0].shape == (40, 48, 3) and a[0][1] == "0.png"
    sr = load_eval_data(resolve_source(str(shared_data / "sr" / "Set14"), "single"), cfg())
    assert sr.split == "train"  # flat folder: the fallback is reported
    items = {name: (lr, hr) for lr, hr, name in sr}
    lr, hr = items["bridge.png"]  # a real grayscale image
    assert hr.shape[0] % 4 == 0 and hr.shape[1] % 4 == 0
    assert lr.shape == (hr.shape[0] // 4, hr.shape[1] // 4, 3)
    assert np.allclose(hr[..., 0], hr[..., 1])
    for i in range(2):
        save(tmp_path / "p" / "train" / f"{i}.png", pattern(20, 40, i))
    pe = load_eval_data(resolve_source(str(tmp_path / "p"), "paired"), cfg(direction="BtoA"))
    (a, b, name), _ = list(pe)
    assert a.shape == b.shape == (20, 20, 3) and name == "0.png"
    full = pattern(20, 40, 0).astype(np.float32) / 127.5 - 1
    np.testing.assert_allclose(a, full[:, 20:], atol=1e-6)  # BtoA: input is the right half
    style = list(load_eval_data(resolve_source("demo", "style"), cfg()))
    assert len(style) == 16 and style[0][0].shape == (64, 64, 3)


@pytest.mark.parametrize("kind", ["unpaired", "paired", "single", "style"])
def test_sample_inputs_deterministic(kind):
    src = resolve_source("demo", kind)
    first = sample_inputs(src, cfg(), 3)
    second = sample_inputs(src, cfg(seed=99), 3)
    first = first if isinstance(first, tuple) else (first,)
    second = second if isinstance(second, tuple) else (second,)
    for x, y in zip(first, second, strict=True):
        assert x.shape[0] == 3
        np.testing.assert_array_equal(x, y)
