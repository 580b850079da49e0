"""cgtk.evaluation: each data kind, with small synthetic models on demo data."""
import warnings

import keras
import numpy as np
import pytest

from cgtk.errors import CgtkError
from cgtk.evaluation import domains, eval_config, evaluate, style_crops
from cgtk.inference import open_source


class FirstFeatures:
    """The real (random-proxy) InceptionV3, keeping 16 of its 2048 features: FID's
    sqrtm of a singular 2048x2048 covariance takes over a minute on 2 cores."""

    def __init__(self, ext, dim=16):
        self.ext, self.dim = ext, dim
        self.label, self.resize, self.proxy = ext.label, ext.resize, ext.proxy

    def __call__(self, images):
        return self.ext(images)[:, :self.dim]


def proxy():
    from cgtk.metrics import InceptionFeatures

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return FirstFeatures(InceptionFeatures("keras", weights="random-proxy", image_size=75))


def save(model, path):
    model.save(path)
    return open_source(path)


@pytest.fixture(scope="module")
def bilinear_sr(tmp_path_factory):
    inp = keras.Input((None, None, 3))
    out = keras.layers.UpSampling2D(4, interpolation="bilinear")(inp)
    return save(keras.Model(inp, out), tmp_path_factory.mktemp("sr") / "sr.keras")


def test_domains_from_names_and_descriptions():
    assert domains("a2b", "") == ("A", "B") and domains("b2a", "") == ("B", "A")
    assert domains("generator", "B -> A (photo to label)") == ("B", "A")
    assert domains("g", "") == ("A", "B")


def test_eval_config_reads_the_run():
    from cgtk.runs.record import RunRecord

    record = RunRecord.from_dict({"plugin": {"name": "pix2pix"},
                                  "config": {"image_size": 32, "direction": "BtoA"}})
    c = eval_config(record, scale=4)
    assert c.image_size == 32 and c.direction == "BtoA" and c.scale == 4 and c.batch_size
    bare = eval_config(None, scale=2)       # a bare .keras model: TrainConfig's defaults
    assert bare.scale == 2 and bare.image_size == eval_config(RunRecord.from_dict(
        {"plugin": {"name": "x"}})).image_size


def test_single_psnr_near_bicubic_baseline(bilinear_sr):
    r = evaluate(bilinear_sr, data="demo", kind="single", limit=3)
    res = r["results"][0]
    m = res["metrics"]
    assert res["n"] == 3 and res["scale"] == 4 and "Y (BT.601" in res["protocol"]
    # bilinear upscaling is a few dB from bicubic, never far off or better by much
    assert 15 < m["psnr_y"] < m["bicubic_psnr_y"] + 1.0
    assert abs(m["psnr_y"] - m["bicubic_psnr_y"]) < 6
    assert 0 < m["ssim_y"] <= 1


def test_paired_identity_vs_targets(tmp_path):
    inp = keras.Input((None, None, 3))
    src = save(keras.Model(inp, keras.layers.Identity()(inp)), tmp_path / "id.keras")
    r = evaluate(src, data="demo", kind="paired", limit=4)["results"][0]
    assert r["n"] == 4 and set(r["metrics"]) == {"l1", "psnr", "ssim"}
    assert r["metrics"]["l1"] > 0.01 and np.isfinite(r["metrics"]["psnr"])


def test_unpaired_fid_per_direction_is_labelled_proxy(tmp_path):
    import json

    for name in ("a2b", "b2a"):
        inp = keras.Input((None, None, 3))
        keras.Model(inp, keras.layers.Identity()(inp)).save(tmp_path / f"{name}.keras")
    (tmp_path / "config.json").write_text(json.dumps({
        "plugin": {"name": "x", "data_kind": "unpaired"}, "config": {},
        "data": {"kind": "unpaired", "origin": "demo", "name": "demo", "root": None,
                 "layout": "demo", "hints": {}},
        "inference": {"a2b": {"file": "a2b.keras", "multiple": 4, "scale": 1,
                              "description": "A -> B"},
                      "b2a": {"file": "b2a.keras", "multiple": 4, "scale": 1,
                              "description": "B -> A"}}}))
    r = evaluate(open_source(tmp_path), extractor_factory=proxy, limit=4)
    assert [x["network"] for x in r["results"]] == ["a2b", "b2a"]
    for x in r["results"]:
        assert x["proxy"] and "RANDOM" in x["protocol"] and "75x75" in x["resize"]
        assert x["n"] == {"real": 4, "fake": 4} and np.isfinite(x["metrics"]["fid"])


def test_style_fid_against_content_and_style(tmp_path):
    inp = keras.Input((None, None, 3))
    src = save(keras.Model(inp, keras.layers.Conv2D(3, 1)(inp)), tmp_path / "s.keras")
    r = evaluate(src, data="demo", kind="style", extractor_factory=proxy, limit=3)
    m = r["results"][0]["metrics"]
    assert {"fid_vs_content", "fid_vs_style", "kid_vs_style"} <= set(m)
    crops = style_crops(np.zeros((300, 200, 3)), 3)
    assert [c.shape for c in crops] == [(200, 200, 3)] * 3


def test_bare_model_needs_a_kind(bilinear_sr):
    with pytest.raises(CgtkError, match="--kind"):
        evaluate(bilinear_sr, data="demo")
