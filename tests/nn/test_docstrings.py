"""The runnable examples in the cgtk.nn docstrings run and print what they claim."""
import doctest
import importlib

import pytest

MODULES = ["cgtk.nn", "cgtk.nn.blocks", "cgtk.nn.init", "cgtk.nn.layers", "cgtk.nn.norm",
           "cgtk.nn.padding", "cgtk.nn.patchgan", "cgtk.nn.resnet", "cgtk.nn.summary",
           "cgtk.nn.unet"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
