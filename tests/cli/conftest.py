"""Fixtures shared by the CLI tests."""
import pytest

from cgtk.cli.main import main


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory, toy_site):
    """A finished 3-step run of the toy plugin on demo data (one per test module)."""
    run = tmp_path_factory.mktemp("toy") / "run"
    assert main(["train", "toy", "--data", "demo", "--epochs", "1", "--steps-per-epoch", "3",
                 "--run-dir", str(run)]) == 0
    return run
