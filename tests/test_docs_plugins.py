"""The complete minimal plugin in docs/plugins.md is real code: install it (as a fake
distribution) and run cgtk.testing.check_plugin on it."""
import importlib
import re

from helpers import REPO, make_distribution

from cgtk import registry
from cgtk.testing import check_plugin


def test_the_documented_plugin_works(tmp_path, monkeypatch):
    text = (REPO / "docs" / "plugins.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    spec = next(b for b in blocks if "cgtk.Plugin(" in b)
    model = next(b for b in blocks if "class Denoise(cgtk.GANModel)" in b)
    root = tmp_path / "site"
    make_distribution(root, "cgtk-plugin-denoise", {"denoise": "cgtk_denoise:plugin"},
                      modules={"cgtk_denoise/__init__.py": spec,
                               "cgtk_denoise/model.py": model})
    monkeypatch.syspath_prepend(str(root))
    info = registry.get("denoise")
    assert info.ok and info.data_kind == "paired"
    cls = importlib.import_module("cgtk_denoise.model").Denoise
    result = check_plugin(cls)
    (only,) = result.values()
    assert {"G_gan", "G_l1", "D"} <= set(only["terms"])
