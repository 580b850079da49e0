"""The examples in the use cases' docstrings run."""
import doctest
import importlib

import pytest

MODULES = ["cgtk.app", "cgtk.app.feedback", "cgtk.app.preview", "cgtk.app.train", "cgtk.app.resume",
           "cgtk.app.infer", "cgtk.app.evaluate", "cgtk.app.export", "cgtk.app.bench",
           "cgtk.app.import_weights", "cgtk.app.plugins", "cgtk.app.datasets",
           "cgtk.app.report"]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no example"


def test_every_command_has_a_use_case():
    """One module per command: the CLI modules that run something call cgtk.app."""
    from pathlib import Path

    import cgtk.cli

    cli = Path(cgtk.cli.__file__).parent
    for name in ("train", "infer", "evaluate", "export", "bench", "import_weights",
                 "plugins", "data", "report"):
        assert "from cgtk.app." in (cli / f"{name}.py").read_text(), name


def test_no_use_case_imports_keras_before_the_backend_is_chosen():
    """`cgtk bench X --backend jax` picks the backend inside the use case: importing one
    must not import Keras (which would fix the backend to the default)."""
    from helpers import run_python

    code = ("import sys\n"
            f"for name in {MODULES!r}:\n"
            "    __import__(name)\n"
            "print('KERAS' if 'keras' in sys.modules else 'FREE')\n")
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("FREE"), result.stdout
