"""``cgtk data preview``: the grid of a plugin's training pairs (HR | training LR | bicubic
LR) -- its size, Real-ESRGAN's LR differing from bicubic on real photos while SRResNet's
equals it, the seed, and one-line errors for plugins without (lr, hr) pairs."""
import shutil

import numpy as np
import pytest
from helpers import cli_in_process
from PIL import Image

from cgtk.callbacks.samples import GAP, render_grid
from cgtk.data.preview import preview
from cgtk.errors import CgtkError

N, SIZE, SCALE = 3, 64, 4


@pytest.fixture(scope="module")
def photos(shared_data, tmp_path_factory):
    """Six real photos (a copy: the folder of 80 takes long to scan on this machine)."""
    root = tmp_path_factory.mktemp("photos")
    for p in sorted((shared_data / "photos" / "sun_hays80").iterdir())[:6]:
        shutil.copy(p, root / p.name)
    return root


def _cells(path, n, size):
    """The grid's cells as ``[column][row]`` uint8 arrays, located as render_grid lays
    them out (checking the grid's size on the way)."""
    grid = np.asarray(Image.open(path).convert("RGB"))
    blank = {c: np.zeros((n, size, size, 3), "float32") for c in "abc"}
    want = render_grid(blank)                          # same cells, same header
    assert grid.shape == want.shape, (grid.shape, want.shape)
    cell = (want.shape[1] - 4 * GAP) // 3
    header = want.shape[0] - n * cell - (n + 1) * GAP
    return [[grid[header + GAP + r * (cell + GAP):][:cell, GAP + c * (cell + GAP):][:, :cell]
             for r in range(n)] for c in range(3)]


def test_realesrgan_preview_on_real_photos_shows_degraded_lr(photos, tmp_path):
    out = preview("realesrgan", str(photos), sets=[f"image_size={SIZE}", f"scale={SCALE}"],
                  n=N, seed=1, output=tmp_path / "grid.png")
    assert out == tmp_path / "grid.png" and out.is_file()
    hr, lr, bicubic = _cells(out, N, SIZE)
    cell = hr[0].shape[0]
    assert cell >= SIZE and cell % SIZE == 0
    for r in range(N):
        assert hr[r].std() > 5                       # a real photo crop, not blank
        # the LR cells are nearest-enlarged: constant blocks of cell / (SIZE / SCALE)
        block = cell * SCALE // SIZE
        assert np.array_equal(lr[r][::block, ::block].repeat(block, 0).repeat(block, 1), lr[r])
    diff = np.mean([np.abs(a.astype(float) - b).mean() for a, b in zip(lr, bicubic, strict=True)])
    assert diff > 3, diff                           # degraded, not the plain bicubic LR


def test_srresnet_preview_lr_is_the_bicubic_lr_and_the_seed_picks_the_pairs(tmp_path):
    sets = ["image_size=32", "scale=2"]
    a = preview("srresnet", "demo", sets=sets, n=2, seed=3, output=tmp_path / "a.png")
    b = preview("srresnet", "demo", sets=sets, n=2, seed=3, output=tmp_path / "b.png")
    c = preview("srresnet", "demo", sets=sets, n=2, seed=4, output=tmp_path / "c.png")
    _, lr, bicubic = _cells(a, 2, 32)
    for x, y in zip(lr, bicubic, strict=True):
        assert np.abs(x.astype(int) - y).max() <= 1        # the same bicubic LR
    pixels = [np.asarray(Image.open(p)) for p in (a, b, c)]
    assert np.array_equal(pixels[0], pixels[1]) and not np.array_equal(pixels[0], pixels[2])


def test_plugins_without_lr_hr_pairs_and_bad_arguments_are_one_line_errors(tmp_path):
    for kwargs, words in [({"plugin": "cyclegan"}, "unpaired data, not \\(lr, hr\\) pairs"),
                          ({"plugin": "realesrgan", "n": 0}, "at least one pair"),
                          ({"plugin": "realesrgan", "output": tmp_path / "x.jpg"}, "PNG")]:
        kwargs.setdefault("output", tmp_path / "x.png")
        with pytest.raises(CgtkError, match=words) as err:
            preview(kwargs.pop("plugin"), "demo", **kwargs)
        assert "\n" not in str(err.value)
    with pytest.raises(CgtkError, match="noise_range"):
        preview("realesrgan", "demo", sets=["noise_range=-1,5"], output=tmp_path / "x.png")


def test_cli_data_preview(tmp_path):
    out = tmp_path / "p.png"
    ok = cli_in_process("data", "preview", "realesrgan", "--data", "demo", "--set", "image_size=32",
                 "--set", "scale=2", "-n", "2", "--seed", "5", "--output", out)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert "wrote" in ok.stdout and out.is_file()
    assert Image.open(out).size == render_grid(
        {c: np.zeros((2, 32, 32, 3)) for c in "abc"}).shape[1::-1]
    bad = cli_in_process("data", "preview", "cyclegan", "--data", "demo", "--output", out)
    assert bad.returncode == 1
    lines = [ln for ln in bad.stderr.splitlines() if "not (lr, hr) pairs" in ln]
    assert lines, bad.stderr
