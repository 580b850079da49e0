"""User errors are one line and exit code 1; CGTK_DEBUG=1 shows the traceback."""
import pytest
from helpers import run_cli

from cgtk import __version__
from cgtk.cli.main import main


def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"cgtk {__version__}"
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("train", "infer", "eval", "export", "bench", "plugins", "data"):
        assert command in out


@pytest.mark.parametrize("argv, fragment", [
    (["plugins", "show", "cyclegam"], "unknown plugin 'cyclegam'"),
    (["plugins", "list", "--bogus"], "No such option: --bogus"),
    (["train", "toy", "--epochs", "many"], "Invalid value for '--epochs'"),
])
def test_user_errors_are_one_line_exit_1(argv, fragment, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert fragment in err
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1


def test_debug_variable_shows_the_traceback():
    plain = run_cli("plugins", "show", "no-such-plugin")
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    debug = run_cli("plugins", "show", "no-such-plugin", CGTK_DEBUG="1")
    assert debug.returncode != 0 and "Traceback" in debug.stderr
    assert "CgtkError" in debug.stderr
