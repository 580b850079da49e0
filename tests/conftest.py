"""Shared fixtures. Real images come from ``../shared/data`` beside the checkout
(or ``CGTK_SHARED_DATA``); a test that needs them fails loudly if they are missing."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/helpers.py, tests/toyplugin

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from helpers import REPO, toy_distribution  # noqa: E402


def shared_data_dir() -> Path:
    return Path(os.environ.get("CGTK_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "README.md").exists():
        pytest.fail(f"the shared real images are missing: expected them in {path} "
                    "(set CGTK_SHARED_DATA to their folder)")
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Keep CGTK_HOME (datasets, weights) out of the user's cache during tests."""
    if not os.environ.get("CGTK_TEST_KEEP_HOME"):
        monkeypatch.setenv("CGTK_HOME", str(tmp_path_factory.getbasetemp() / "cgtk-home"))


@pytest.fixture(scope="session")
def toy_site(tmp_path_factory) -> Path:
    """A sys.path entry holding the 'toy' plugin's distribution metadata."""
    root = toy_distribution(tmp_path_factory.mktemp("toy-site"))
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return root


def pytest_collection_modifyitems(config, items):
    """Under KERAS_BACKEND=jax (tox -e jax), tests that call TensorFlow APIs in-process
    are skipped with a stated reason; their JAX counterparts run in subprocesses."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        return
    skip = pytest.mark.skip(reason="TensorFlow-specific test; KERAS_BACKEND is "
                            f"{os.environ['KERAS_BACKEND']}")
    for item in items:
        if "tensorflow_only" in item.keywords:
            item.add_marker(skip)
