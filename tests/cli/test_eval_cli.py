"""``cgtk eval``: table/JSON output with the protocol, Inception weight refusal."""
import json

from cgtk.cli.main import main


def test_paired_run_json_uses_the_runs_data(toy_run, capsys):
    assert main(["eval", str(toy_run), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "paired" and report["data"]["name"] == "demo"
    assert report["split"] == "test"
    r = report["results"][0]
    assert r["n"] == 16 and "RGB" in r["protocol"] and set(r["metrics"]) == {"l1", "psnr", "ssim"}


def test_table_names_the_protocol(toy_run, capsys):
    assert main(["eval", str(toy_run), "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "psnr" in out and "protocol:" in out and "ssim" in out


def test_fid_refuses_without_weights(tmp_path, monkeypatch, capsys):
    import keras

    inp = keras.Input((None, None, 3))
    keras.Model(inp, keras.layers.Identity()(inp)).save(tmp_path / "g.keras")
    monkeypatch.setenv("CGTK_INCEPTION_WEIGHTS", str(tmp_path / "missing.h5"))
    assert main(["eval", str(tmp_path / "g.keras"), "--kind", "unpaired", "--data", "demo",
                 "--limit", "2", "--inception", "keras"]) == 1
    err = capsys.readouterr().err
    assert "CGTK_INCEPTION_WEIGHTS" in err and "Traceback" not in err
    # keep 16 of the 2048 features: sqrtm of a singular 2048x2048 covariance is minutes
    from cgtk.metrics import inception

    full = inception.InceptionFeatures.__call__
    monkeypatch.setattr(inception.InceptionFeatures, "__call__",
                        lambda self, images: full(self, images)[:, :16])
    assert main(["eval", str(tmp_path / "g.keras"), "--kind", "unpaired", "--data", "demo",
                 "--limit", "3", "--inception", "keras", "--inception-weights",
                 "random-proxy", "--inception-size", "75", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)["results"][0]
    assert r["proxy"] is True and "RANDOM" in r["protocol"]
