import json

import numpy as np
from PIL import Image

from cgtk.cli.main import main


def test_data_list_json(capsys):
    assert main(["data", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = {r["name"]: r for r in rows}
    assert {"demo", "horse2zebra", "facades", "div2k", "set5"} <= set(names)
    assert names["horse2zebra"]["kind"] == "unpaired"
    assert names["horse2zebra"]["urls"] == [
        "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/horse2zebra.zip"]
    assert main(["data", "list"]) == 0
    assert "edges2shoes" in capsys.readouterr().out


def test_fetch_offline_one_line(capsys, monkeypatch, tmp_path):
    from cgtk.data import known

    entry = known.KnownDataset(name="offline_set", kind="paired", summary="x",
                               downloads=(known.Download("http://127.0.0.1:9/x.zip", "x.zip"),))
    monkeypatch.setitem(known.KNOWN, "offline_set", entry)
    monkeypatch.delenv("CGTK_DEBUG", raising=False)
    assert main(["data", "fetch", "offline_set", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert "http://127.0.0.1:9/x.zip" in err and str(tmp_path / "offline_set") in " ".join(
        err.split())


def _folder(tmp_path):
    root = tmp_path / "data"
    for d in ("trainA", "trainB"):
        (root / d).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(np.full((20, 24, 3), 40 * i, np.uint8)).save(root / d / f"{i}.png")
    return root


def test_info_and_check(capsys, tmp_path):
    root = _folder(tmp_path)
    assert main(["data", "info", str(root), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kind"] == "unpaired" and info["splits"]["train"]["A"]["count"] == 3
    assert main(["data", "check", str(root)]) == 0
    assert "usable" in capsys.readouterr().out
    (root / "trainA" / "broken.png").write_bytes(b"\x89PNG broken")
    assert main(["data", "check", str(root)]) == 1
    captured = capsys.readouterr()
    assert "broken.png" in captured.out and "not usable" in captured.out
    assert main(["data", "check", str(root), "--max-bad-fraction", "0.5"]) == 0


def test_info_known_and_unknown(capsys):
    assert main(["data", "info", "facades"]) == 0
    assert "facades.tar.gz" in capsys.readouterr().out
    assert main(["data", "info", "no_such_data"]) == 1
    assert "not a known dataset" in capsys.readouterr().err
