import numpy as np
import pytest
from datafiles import pattern, save, write_bad_files, write_odd_files
from PIL import Image

from cgtk.data.decode import BadImage, decode_file, probe


def test_bad_files_raise_with_reason(tmp_path):
    files = write_bad_files(tmp_path)
    reasons = {}
    for name, path in files.items():
        with pytest.raises(BadImage) as info:
            decode_file(path)
        reasons[name] = str(info.value)
        assert probe(path)["ok"] is False
    assert "truncated" in reasons["truncated"]
    assert "0 bytes" in reasons["empty"]
    assert "not an image" in reasons["text"]


def test_odd_formats_become_rgb(tmp_path):
    files = write_odd_files(tmp_path)
    for name, path in files.items():
        image = decode_file(path)
        assert image.shape == (48, 64, 3), name
        assert image.dtype == np.uint8, name
        info = probe(path)
        assert info["ok"] and (info["width"], info["height"]) == (64, 48), name
    gray = decode_file(files["gray"])
    assert (gray[..., 0] == gray[..., 2]).all()
    sixteen = decode_file(files["16bit"])
    expected = pattern(48, 64, 1)[..., 1]
    assert np.abs(sixteen[..., 0].astype(int) - expected).max() <= 1  # scaled, not clipped
    assert (decode_file(files["rgba"])[:10, :10] == 255).all()  # transparent -> white
    # only plain JPEG/PNG go through tf.io; CMYK, RGBA, 16-bit, GIF and misnamed files don't
    assert probe(files["gray"])["tf"] is True
    for name in ("cmyk", "rgba", "16bit", "gif", "png_as_jpg", "palette"):
        assert probe(files[name])["tf"] is False, name


def test_exif_orientation_is_honoured(tmp_path):
    array = pattern(20, 40, 2)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    path = tmp_path / "rotated.jpg"
    Image.fromarray(array).save(path, "JPEG", exif=exif.tobytes(), quality=95)
    assert decode_file(path).shape == (40, 20, 3)
    info = probe(path)
    assert (info["width"], info["height"], info["tf"]) == (20, 40, False)


def test_real_grayscale_image(shared_data):
    bridge = shared_data / "sr" / "Set14" / "bridge.png"
    assert Image.open(bridge).mode == "L"
    image = decode_file(bridge)
    assert image.shape == (512, 512, 3)
    assert (image[..., 0] == image[..., 1]).all() and image.std() > 10


def test_save_helper_roundtrip(tmp_path):
    path = save(tmp_path / "x.png", pattern(8, 9))
    assert decode_file(path).shape == (8, 9, 3)
