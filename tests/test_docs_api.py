"""docs/api.md is generated from the docstrings (docs/gen_api.py): it must be current,
and the examples it shows must run."""
import doctest
import importlib
import runpy

import pytest
from helpers import REPO

# the modules whose docstring examples docs/api.md shows
DOCUMENTED = ["cgtk.plugin", "cgtk.engine.model", "cgtk.engine.reserved", "cgtk.config",
              "cgtk.data.kinds", "cgtk.losses", "cgtk.nn", "cgtk.testing", "cgtk.runs.record"]


def test_api_reference_is_current():
    gen = runpy.run_path(str(REPO / "docs" / "gen_api.py"))
    current = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert gen["render"]() == current, "docs/api.md is stale: run python docs/gen_api.py"


@pytest.mark.parametrize("name", DOCUMENTED)
def test_the_documented_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_plugins_guide_links_the_reference():
    assert "api.md" in (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
