import json

import numpy as np
import pytest
from scipy.signal import convolve2d

from cgtk.metrics.protocol import Protocol
from cgtk.metrics.sr import evaluate_sr, prepare, psnr, ssim


def test_psnr_of_constant_difference_rgb():
    a = np.full((12, 12, 3), 100, np.uint8)
    assert psnr(a, a + 10, Protocol(channel="rgb")) == pytest.approx(
        10 * np.log10(255**2 / 100), abs=1e-4)


def test_psnr_of_constant_difference_y():
    # +d on R, G and B moves Y by d * (65.481 + 128.553 + 24.966) / 255 = d * 219 / 255
    a = np.full((12, 12, 3), 100, np.uint8)
    dy = 20 * 219 / 255
    assert psnr(a, a + 20, Protocol(channel="y")) == pytest.approx(
        10 * np.log10(255**2 / dy**2), abs=1e-4)


def test_border_crop_removes_border_errors():
    a = np.full((20, 20, 3), 50, np.uint8)
    b = a.copy()
    b[:2] = 200  # the top 2 rows differ
    assert np.isfinite(psnr(a, b, Protocol(channel="y", crop_border=0)))
    assert psnr(a, b, Protocol(channel="y", crop_border=2)) == np.inf
    b[2, 5] = 60  # one pixel inside the 2-pixel border now differs: 1 of 16*16 pixels
    dy = 10 * 219 / 255
    assert psnr(a, b, Protocol(channel="y", crop_border=2)) == pytest.approx(
        10 * np.log10(255**2 / (dy**2 / 256)), abs=1e-3)


def test_prepare_crops_and_converts():
    x = np.zeros((10, 12, 3), np.uint8)
    assert prepare(x, Protocol.sr(3)).shape == (4, 6, 1)
    assert prepare(x, Protocol(channel="rgb", crop_border=1)).shape == (8, 10, 3)
    with pytest.raises(ValueError, match="too small"):
        prepare(x, Protocol.sr(5))


def test_float_inputs_are_quantised_like_uint8():
    rng = np.random.default_rng(0)
    f = rng.uniform(-1, 1, (16, 16, 3)).astype(np.float32)
    g = np.clip(f + rng.normal(0, 0.1, f.shape), -1, 1).astype(np.float32)
    u = np.clip(np.round((f.astype(np.float64) + 1) * 127.5), 0, 255).astype(np.uint8)
    v = np.clip(np.round((g.astype(np.float64) + 1) * 127.5), 0, 255).astype(np.uint8)
    p = Protocol.sr(2)
    assert psnr(f, g, p) == pytest.approx(psnr(u, v, p), abs=1e-6)
    assert ssim(f, g, p) == pytest.approx(ssim(u, v, p), abs=1e-6)


def test_ssim_of_identical_images_is_one():
    x = np.random.default_rng(1).integers(0, 256, (2, 24, 24, 3), dtype=np.uint8)
    np.testing.assert_allclose(ssim(x, x, Protocol.sr(2)), [1.0, 1.0], atol=1e-6)


def _gaussian_ssim_reference(x, y, size=11, sigma=1.5, peak=255.0):
    """Wang et al.'s SSIM (valid windows, mean of the map), written independently."""
    r = np.arange(size) - (size - 1) / 2
    g = np.exp(-(r**2) / (2 * sigma**2))
    w = np.outer(g, g) / np.outer(g, g).sum()

    def f(a):
        return convolve2d(a, w[::-1, ::-1], mode="valid")

    c1, c2 = (0.01 * peak) ** 2, (0.03 * peak) ** 2
    mx, my = f(x), f(y)
    sxx, syy, sxy = f(x * x) - mx**2, f(y * y) - my**2, f(x * y) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx**2 + my**2 + c1) * (sxx + syy + c2))
    return m.mean()


def test_ssim_matches_independent_reference_on_y():
    rng = np.random.default_rng(2)
    hr = rng.integers(0, 256, (40, 36, 3), dtype=np.uint8)
    sr = np.clip(hr.astype(int) + rng.integers(-30, 31, hr.shape), 0, 255).astype(np.uint8)
    p = Protocol.sr(4)
    ref = _gaussian_ssim_reference(prepare(sr, p)[..., 0], prepare(hr, p)[..., 0])
    assert ssim(sr, hr, p) == pytest.approx(ref, abs=1e-4)
    assert ssim(sr, hr, p) < 0.99


def test_lists_of_different_sizes_and_evaluate_sr():
    rng = np.random.default_rng(3)
    hrs = [rng.integers(0, 256, s, dtype=np.uint8) for s in [(20, 24, 3), (28, 16, 3)]]
    srs = [np.clip(h.astype(int) + 5, 0, 255).astype(np.uint8) for h in hrs]
    p = Protocol.sr(2)
    values = psnr(srs, hrs, p)
    assert values.shape == (2,)
    res = evaluate_sr(srs, hrs, p)
    assert res.n == 2 and res.psnr == pytest.approx(values.mean())
    assert str(p) in str(res)
    assert json.loads(json.dumps(res.to_dict()))["protocol"]["crop_border"] == 2


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ"):
        psnr(np.zeros((16, 16, 3), np.uint8), np.zeros((16, 20, 3), np.uint8))


def test_protocol_text_and_json():
    p = Protocol.sr(4)
    text = str(p)
    assert "\n" not in text
    for part in ("Y (BT.601", "border crop 4 px", "uint8", "11x11", "sigma 1.5", "bicubic"):
        assert part in text
    assert Protocol.from_json(p.to_json()) == p
    assert json.loads(p.to_json())["channel"] == "y"
    assert "rounded" in str(Protocol.sr(4, round_y=True))
    with pytest.raises(ValueError):
        Protocol(channel="ycbcr")
