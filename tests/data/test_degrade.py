"""cgtk.data.degrade: Real-ESRGAN's second-order degradations on real photos -- worse than
bicubic, kernels normalised and sized, JPEG qualities in range, seeded and reproducible
(also through the training pipeline, after a resume), bad options, too-small HR skipped."""
import shutil

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from cgtk.data.degrade import DegradationOptions, degrade
from cgtk.data.degrade.second_order import KERNEL_SIZES, random_kernel
from cgtk.data.degrade.seeds import Seeds
from cgtk.errors import CgtkError


def _photo(shared_data, name="butterfly.png", size=128):
    img = np.asarray(Image.open(shared_data / "sr" / "Set5" / name).convert("RGB"))
    return img[:size, :size].astype("float32") / 255.0


def _psnr(a, b):
    return 10 * np.log10(1.0 / np.mean((np.asarray(a) - np.asarray(b)) ** 2))


def _bicubic(x, size):
    return tf.clip_by_value(tf.image.resize(x, (size, size), "bicubic", antialias=True), 0, 1)


@pytest.fixture(scope="module")
def run_degrade():
    fn = tf.function(lambda hr, seed, opts=DegradationOptions(): degrade(hr, seed, opts, 4),
                     reduce_retracing=True)
    return fn


def test_degraded_lr_of_a_real_photo_is_worse_than_bicubic(shared_data, run_degrade):
    hr = _photo(shared_data)
    plain = _psnr(_bicubic(_bicubic(hr, 32), 128), hr)
    worse = []
    for i in range(6):
        lr, _ = run_degrade(tf.constant(hr), tf.constant([i, 7], tf.int64))
        assert lr.shape == (32, 32, 3)
        assert float(tf.reduce_min(lr)) >= 0 and float(tf.reduce_max(lr)) <= 1
        worse.append(_psnr(_bicubic(lr, 128), hr))
    assert np.mean(worse) < plain - 1.0, (worse, plain)
    assert max(worse) < plain, (worse, plain)


def test_kernels_are_normalised_and_of_the_configured_size():
    for max_size in (21, 11):
        opts = DegradationOptions(blur_kernel_size=max_size)
        for i in range(12):
            for second in (False, True):
                k, size, _ = random_kernel(Seeds([i, 3]), opts, second=second)
                k = np.asarray(k)
                assert k.shape == (max_size, max_size)
                assert k.sum() == pytest.approx(1.0, abs=1e-5)
                s = int(size)
                assert s in KERNEL_SIZES or s == max_size
                assert s <= max_size
                r, h = max_size // 2, s // 2
                outside = k.copy()
                outside[r - h:r + h + 1, r - h:r + h + 1] = 0
                assert not outside.any()                    # zero outside its size


def test_jpeg_quality_is_in_range(shared_data):
    hr = tf.constant(_photo(shared_data, size=64))
    opts = DegradationOptions(jpeg_range=(50.0, 60.0), jpeg_range2=(70.0, 71.0))
    for i in range(8):
        _, info = degrade(hr, tf.constant([i, 1], tf.int64), opts, 2)
        assert 50 <= int(info["jpeg1"]) <= 60 and 70 <= int(info["jpeg2"]) <= 71


def test_same_seed_same_pair_other_seed_other_pair(shared_data, run_degrade):
    hr = tf.constant(_photo(shared_data))
    a, _ = run_degrade(hr, tf.constant([5, 5], tf.int64))
    b, _ = run_degrade(hr, tf.constant([5, 5], tf.int64))
    c, _ = run_degrade(hr, tf.constant([6, 5], tf.int64))
    np.testing.assert_array_equal(a, b)
    assert np.abs(np.asarray(a) - np.asarray(c)).max() > 0.01


@pytest.mark.parametrize("key, value, words", [
    ("noise_range", "-1,5", "noise_range"), ("jpeg_range", "30,101", "jpeg_range"),
    ("blur_sigma2", "2,1", "blur_sigma2"), ("sinc_prob", "1.5", "sinc_prob")])
def test_an_option_out_of_range_is_a_one_line_error_naming_it(key, value, words):
    from cgtk_esrgan.realesrgan import RealESRGAN

    from cgtk.config import resolve_config

    config = resolve_config(RealESRGAN.Config, sets=[f"{key}={value}"])
    with pytest.raises(CgtkError, match=words) as err:
        config.make_lr()
    assert "\n" not in str(err.value)


@pytest.fixture(scope="module")
def photos(shared_data, tmp_path_factory):
    """Four real photos, one of them smaller than the crop."""
    root = tmp_path_factory.mktemp("hr")
    src = sorted((shared_data / "photos" / "sun_hays80").iterdir())[:4]
    for p in src[:3]:
        shutil.copy(p, root / p.name)
    Image.open(src[3]).convert("RGB").resize((40, 30)).save(root / "tiny.png")
    return root


def _train_data(root, **values):
    from cgtk_esrgan.realesrgan import RealESRGAN

    from cgtk.data import load_train_data, resolve_source

    config = RealESRGAN.Config(batch_size=2, image_size=64, scale=4, seed=11,
                               epoch_length=6, max_bad_fraction=0.5, **values)
    return load_train_data(resolve_source(str(root), "single"), config)


def test_pipeline_degrades_reproducibly_also_after_a_resume_and_skips_small_hr(photos):
    data = _train_data(photos)
    assert len(data.skipped) == 1 and "tiny.png" in str(data.skipped[0][0])
    first = [tuple(np.asarray(t) for t in b) for b in data.dataset(epoch=0)]
    again = [tuple(np.asarray(t) for t in b) for b in _train_data(photos).dataset(epoch=0)]
    resumed = [tuple(np.asarray(t) for t in b) for b in data.dataset(epoch=0, skip_batches=1)]
    assert len(first) == 3 and first[0][0].shape == (2, 16, 16, 3)
    for x, y in zip(first, again, strict=True):
        np.testing.assert_array_equal(x[0], y[0])
    for x, y in zip(first[1:], resumed, strict=True):
        np.testing.assert_array_equal(x[0], y[0])
        np.testing.assert_array_equal(x[1], y[1])
    # not bicubic: the degraded LR differs from the bicubic LR of the same HR crops
    plain = [np.asarray(b[0]) for b in _train_data(photos, degradations=False).dataset(0)]
    assert np.abs(plain[0] - first[0][0]).mean() > 0.01
