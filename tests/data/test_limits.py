"""Images the training data cannot use because of their size (issue 21 items 6 and 7).

* An image smaller than the training crop (each half, for side-by-side pairs) is
  skipped and counted like an undecodable file, by the same scan ``cgtk data check``
  uses, never a TensorFlow traceback.
* An image whose header claims more than ``max_pixels`` is skipped and counted without
  being decoded, so a tiny file with a huge area cannot blow up memory.
"""
import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass

import numpy as np
import pytest
from datafiles import pattern, save, write_huge_png

from cgtk.config import TrainConfig, option
from cgtk.data import load_eval_data, load_train_data, resolve_source, sample_inputs
from cgtk.data.decode import BadImage, TooLarge, decode_file, probe
from cgtk.data.scan import scan
from cgtk.errors import CgtkError

HUGE = 13000  # 169 MP: 164 KB on disk, 507 MB as RGB uint8, 2 GB as float32


@dataclass
class Cfg(TrainConfig):
    direction: str = option("AtoB", "direction")
    scale: int = option(4, "SR scale")
    style_image: str | None = option(None, "style image")


def cfg(**kw):
    return Cfg(**{"batch_size": 2, "image_size": 32, "seed": 3, **kw})


def tiny(path):
    return save(path, np.full((1, 1, 3), 200, np.uint8))


def every_batch(data):
    for epoch in range(2):
        for _ in data.dataset(epoch):
            pass


@pytest.mark.parametrize("kind", ["paired", "unpaired", "single", "style"])
def test_a_1x1_image_is_skipped_and_counted(tmp_path, kind):
    root = tmp_path / kind
    if kind == "paired":  # the pix2pix layout: A|B side by side; 1x1 has an empty half
        for i in range(6):
            save(root / "train" / f"{i}.png", pattern(40, 80, i))
        bad = tiny(root / "train" / "tiny.png")
    elif kind == "unpaired":
        for d in "AB":
            for i in range(6):
                save(root / f"train{d}" / f"{i}.png", pattern(40, 48, i))
        bad = tiny(root / "trainA" / "tiny.png")
    else:
        for i in range(6):
            save(root / f"{i}.png", pattern(40, 48, i))
        bad = tiny(root / "tiny.png")
    extra = {"style_image": str(root / "0.png")} if kind == "style" else {}
    data = load_train_data(resolve_source(str(root), kind),
                           cfg(max_bad_fraction=0.5, load_size=None, **extra))
    assert [p for p, _ in data.skipped] == [str(bad)]
    assert "1x1 is smaller than" in data.skipped[0][1]
    assert "image_size=32" in data.skipped[0][1]
    every_batch(data)  # no "input image must be of non-zero size" from TensorFlow
    # counted like other bad files: over max_bad_fraction it is the usual one-line error
    with pytest.raises(CgtkError) as err:
        load_train_data(resolve_source(str(root), kind), cfg(max_bad_fraction=0.01, **extra))
    assert "files are unusable" in str(err.value) and "tiny.png: 1x1" in str(err.value)


def test_images_below_the_crop_are_skipped_also_with_load_size(tmp_path):
    for i in range(4):
        save(tmp_path / "train" / f"{i}.png", pattern(40, 80, i))
    small = save(tmp_path / "train" / "small.png", pattern(20, 40, 9))  # halves 20x20
    data = load_train_data(resolve_source(str(tmp_path), "paired"),
                           cfg(max_bad_fraction=0.5, load_size=36))
    assert data.skipped == [(str(small), "40x20 is smaller than the 64x32 needed for the "
                                         "training crop (image_size=32)")]
    every_batch(data)
    # held-out data keeps whole images: only empty halves are left out there
    tiny(tmp_path / "test" / "tiny.png")
    save(tmp_path / "test" / "ok.png", pattern(20, 40, 3))
    ev = load_eval_data(resolve_source(str(tmp_path), "paired"), cfg(max_bad_fraction=0.5))
    assert [name for _, _, name in ev] == ["ok.png"]
    assert ev.skipped[0][1] == "1x1 is smaller than the 2x1 needed for a side-by-side A|B pair"
    a, b = sample_inputs(resolve_source(str(tmp_path), "paired"), cfg(max_bad_fraction=0.5), 2)
    assert a.shape == b.shape == (2, 32, 32, 3)


def test_sr_hr_images_below_the_crop_are_skipped_not_an_error(tmp_path):
    for i in range(4):
        hr = pattern(64, 64, i)
        save(tmp_path / "HR" / f"{i}.png", hr)
        save(tmp_path / "LR" / f"{i}.png", hr[::4, ::4])
    save(tmp_path / "HR" / "small.png", pattern(16, 16, 7))
    save(tmp_path / "LR" / "small.png", pattern(4, 4, 7))
    data = load_train_data(resolve_source(str(tmp_path), "single"),
                           cfg(max_bad_fraction=0.5, scale=4))
    assert sorted(p.rsplit("/", 2)[-2] for p, _ in data.skipped) == ["HR", "LR"]
    assert all(p.endswith("small.png") for p, _ in data.skipped)
    assert data.num_examples == 4
    every_batch(data)


def test_the_cap_refuses_before_decoding(tmp_path):
    huge = write_huge_png(tmp_path / "huge.png", HUGE, HUGE)
    assert huge.stat().st_size < 300_000
    with pytest.raises(TooLarge, match=r"13000x13000 is 169 MP, above the decode cap of "
                                       r"40 MP \(max_pixels\)"):
        decode_file(huge)
    assert issubclass(TooLarge, BadImage)
    assert probe(huge, max_pixels=10**6)["reason"].endswith("cap of 1 MP (max_pixels)")
    small = save(tmp_path / "small.png", pattern(30, 40))
    assert decode_file(small, max_pixels=1200).shape == (30, 40, 3)
    with pytest.raises(TooLarge):
        decode_file(small, max_pixels=1199)


def test_the_cap_is_applied_over_the_scan_cache(tmp_path):
    small = save(tmp_path / "a.png", pattern(30, 40))
    assert scan([small]).good  # cached as good
    assert scan([small], max_pixels=1000).bad == [
        (str(small), "40x30 is 0 MP, above the decode cap of 0.001 MP (max_pixels)")]
    assert scan([small], max_pixels=1000).bad  # a cap result is never cached...
    assert scan([small]).good                  # ... so raising the cap needs no rescan


PROBE = textwrap.dedent("""
    import json, resource, sys
    from dataclasses import dataclass
    from cgtk.config import TrainConfig, option
    from cgtk.data import load_train_data, resolve_source
    from cgtk.data.decode import BadImage, decode_file

    @dataclass
    class Cfg(TrainConfig):
        scale: int = option(4, "SR scale")

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    def train_on(root, **kw):
        cfg = Cfg(batch_size=2, image_size=32, seed=0, max_bad_fraction=0.5, **kw)
        data = load_train_data(resolve_source(root, "single"), cfg)
        for _ in data.dataset(0):
            pass
        return data

    train_on(sys.argv[1])  # warm up: TensorFlow, tf.data, the small images
    before = peak_mb()
    data = train_on(sys.argv[2])
    after_train = peak_mb()
    try:
        decode_file(sys.argv[3])  # what `cgtk infer` does per input file
        refused = None
    except BadImage as err:
        refused = str(err)
    print(json.dumps({"before": before, "after_train": after_train, "after_infer": peak_mb(),
                      "skipped": data.skipped, "examples": data.num_examples,
                      "infer_refused": refused}))
""")


def test_a_small_file_with_a_huge_area_keeps_peak_memory_bounded(tmp_path):
    """The 164 KB 13000 x 13000 PNG of issue 21: before the cap, training decoded it
    (507 MB as uint8, 2 GB as float32) and peaked at 5.3 GB. Peak RSS is measured in
    a fresh process (ru_maxrss), after a warm-up on the same small images."""
    small, mixed = tmp_path / "small", tmp_path / "mixed"
    for i in range(4):
        for root in (small, mixed):
            save(root / f"{i}.png", pattern(48, 48, i))
    huge = write_huge_png(mixed / "huge.png", HUGE, HUGE)
    out = subprocess.run([sys.executable, "-c", PROBE, str(small), str(mixed), str(huge)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["examples"] == 4
    assert result["skipped"] == [[str(huge), "13000x13000 is 169 MP, above the decode cap "
                                             "of 40 MP (max_pixels)"]]
    assert result["infer_refused"] and "above the decode cap" in result["infer_refused"]
    grew = result["after_infer"] - result["before"]
    assert grew < 150, f"peak RSS grew by {grew:.0f} MB with a 169 MP image in the folder"
