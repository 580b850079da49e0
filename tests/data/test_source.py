import json

import pytest
from datafiles import pattern, save

from cgtk.data import DataSource, resolve_source
from cgtk.data import known as known_module
from cgtk.errors import CgtkError


def test_demo_and_default():
    src = resolve_source(None, "single", default_data="demo")
    assert (src.origin, src.kind, src.root, src.layout) == ("demo", "single", None, "demo")
    assert src.splits == ["train", "test"]


def test_path_source_roundtrips_through_describe(tmp_path):
    for d in ("trainA", "trainB"):
        save(tmp_path / d / "x.png", pattern(16, 16))
    src = resolve_source(str(tmp_path), "unpaired")
    assert (src.origin, src.layout, src.root) == ("path", "cyclegan", tmp_path.resolve())
    desc = json.loads(json.dumps(src.describe()))
    assert DataSource.from_description(desc) == src


def test_errors(tmp_path):
    with pytest.raises(CgtkError, match="not a known dataset"):
        resolve_source("no_such_thing", "paired")
    with pytest.raises(CgtkError, match="expected"):
        resolve_source(str(tmp_path), "paired")
    with pytest.raises(CgtkError, match="unpaired data"):
        resolve_source("horse2zebra", "paired")
    with pytest.raises(CgtkError, match="no data given"):
        resolve_source(None, "paired")
    with pytest.raises(CgtkError, match="unknown data kind"):
        resolve_source("demo", "video")


def test_known_not_fetched_offline_is_one_line(monkeypatch):
    entry = known_module.KnownDataset(
        name="tiny_offline", kind="paired", summary="test",
        downloads=(known_module.Download("http://127.0.0.1:9/x.zip", "x.zip"),))
    monkeypatch.setitem(known_module.KNOWN, "tiny_offline", entry)
    with pytest.raises(CgtkError) as info:
        resolve_source("tiny_offline", "paired", progress=False)
    message = str(info.value)
    assert "\n" not in message
    assert "http://127.0.0.1:9/x.zip" in message and "tiny_offline" in message
    with pytest.raises(CgtkError, match="not fetched yet"):
        resolve_source("tiny_offline", "paired", fetch=False)


def test_registry_entries():
    names = known_module.names()
    for name in ("horse2zebra", "apple2orange", "summer2winter_yosemite", "monet2photo",
                 "vangogh2photo", "facades", "maps", "edges2shoes", "cityscapes", "div2k",
                 "set5", "set14", "bsd100"):
        assert name in names
        entry = known_module.get(name)
        assert entry.citation and entry.licence
        assert entry.downloads or entry.manual
        for d in entry.downloads:
            assert d.sha256 is None or len(d.sha256) == 64
    with pytest.raises(CgtkError, match="did you mean 'facades'"):
        known_module.get("facade")
