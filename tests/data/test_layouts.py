import pytest
from datafiles import pattern, save

from cgtk.data.kinds import EXPECTED_LAYOUT
from cgtk.data.layouts import detect_layout, matching_kinds
from cgtk.errors import CgtkError


def _images(folder, names, h=32, w=32):
    for i, name in enumerate(names):
        save(folder / name, pattern(h, w, i))


def test_unpaired_layout(tmp_path):
    for d in ("trainA", "trainB", "testA", "testB"):
        _images(tmp_path / d, ["1.jpg", "2.jpg"])
    (tmp_path / "trainA" / "readme.txt").write_text("ignored")
    layout = detect_layout(tmp_path, "unpaired")
    assert layout.name == "cyclegan"
    assert layout.counts() == {"train": {"A": 2, "B": 2}, "test": {"A": 2, "B": 2}}


def test_paired_layouts(tmp_path):
    _images(tmp_path / "p2p" / "train", ["a.jpg", "b.jpg"], 16, 32)
    assert detect_layout(tmp_path / "p2p", "paired").name == "pix2pix"
    ab = tmp_path / "ab"
    _images(ab / "train" / "A", ["x.png", "y.png"])
    _images(ab / "train" / "B", ["y.png", "x.png"])
    layout = detect_layout(ab, "paired")
    assert layout.name == "ab_folders"
    a, b = layout.splits["train"]["A"], layout.splits["train"]["B"]
    assert [p.name for p in a] == [p.name for p in b] == ["x.png", "y.png"]


def test_paired_missing_partner_names_the_file(tmp_path):
    _images(tmp_path / "train" / "A", ["x.png", "lonely.png"])
    _images(tmp_path / "train" / "B", ["x.png"])
    with pytest.raises(CgtkError, match="lonely.png"):
        detect_layout(tmp_path, "paired")


def test_single_layouts(tmp_path):
    _images(tmp_path / "flat", ["a.png", "b.png"])
    layout = detect_layout(tmp_path / "flat", "single")
    assert (layout.name, layout.counts()) == ("flat", {"train": {"HR": 2}})
    _images(tmp_path / "sp" / "train", ["a.png"])
    _images(tmp_path / "sp" / "test" / "HR", ["t.png"])
    _images(tmp_path / "sp" / "test" / "LR", ["t.png"], 8, 8)
    layout = detect_layout(tmp_path / "sp", "single")
    assert layout.name == "splits"
    assert layout.counts() == {"train": {"HR": 1}, "test": {"HR": 1, "LR": 1}}


def test_style_layout_with_style_file(tmp_path):
    _images(tmp_path, ["c1.jpg", "c2.jpg", "style.jpg"])
    layout = detect_layout(tmp_path, "style")
    assert layout.counts() == {"train": {"content": 2}}
    assert layout.style_image == tmp_path / "style.jpg"


def test_mismatch_shows_expected_layout(tmp_path):
    _images(tmp_path / "stuff", ["a.png"])
    with pytest.raises(CgtkError) as info:
        detect_layout(tmp_path, "unpaired")
    assert EXPECTED_LAYOUT["unpaired"] in str(info.value)
    assert "stuff/" in str(info.value)
    with pytest.raises(CgtkError, match="no such folder"):
        detect_layout(tmp_path / "nope", "paired")


def test_matching_kinds(tmp_path):
    _images(tmp_path / "trainA", ["a.png"])
    _images(tmp_path / "trainB", ["a.png"])
    assert "unpaired" in matching_kinds(tmp_path)
