import numpy as np
import pytest

from cgtk.metrics.color import rgb_to_y, to_uint8


@pytest.mark.parametrize("rgb, y", [
    ((0, 0, 0), 16.0),
    ((255, 255, 255), 235.0),
    ((255, 0, 0), 16.0 + 65.481),
    ((0, 255, 0), 16.0 + 128.553),
    ((0, 0, 255), 16.0 + 24.966),
    ((128, 128, 128), 16.0 + 219.0 * 128 / 255),
])
def test_y_of_pure_colours(rgb, y):
    got = rgb_to_y(np.array([[rgb]], np.uint8))
    assert got.shape == (1, 1)
    assert got[0, 0] == pytest.approx(y, abs=1e-9)


def test_y_is_float_not_rounded():
    assert rgb_to_y(np.array([10, 20, 30], np.uint8)) == pytest.approx(
        16 + (65.481 * 10 + 128.553 * 20 + 24.966 * 30) / 255)


def test_y_rejects_non_rgb():
    with pytest.raises(ValueError, match="RGB"):
        rgb_to_y(np.zeros((2, 2, 1), np.uint8))


def test_to_uint8_from_minus1_1_rounds_and_clips():
    x = np.array([-1.5, -1.0, -0.999, 0.0, 0.5, 1.0, 2.0], np.float32)
    expected = np.clip(np.round((x.astype(np.float64) + 1) * 127.5), 0, 255)
    np.testing.assert_array_equal(to_uint8(x), expected.astype(np.uint8))
    assert to_uint8(x).tolist() == [0, 0, 0, 128, 191, 255, 255]


def test_to_uint8_passes_uint8_through_and_clips_ints():
    a = np.array([0, 7, 255], np.uint8)
    assert to_uint8(a) is a
    assert to_uint8(np.array([-3, 300])).tolist() == [0, 255]
