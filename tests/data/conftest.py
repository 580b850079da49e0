"""Fixtures for the data tests: an empty $CGTK_HOME per test (datasets, scan cache).

The shared real images come from the ``shared_data`` fixture of ``tests/conftest.py``;
file-writing helpers live in ``datafiles.py``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # datafiles.py


@pytest.fixture(autouse=True)
def cgtk_home(tmp_path_factory, monkeypatch):
    """Every data test gets its own empty $CGTK_HOME (datasets, scan cache)."""
    home = tmp_path_factory.mktemp("cgtk_home")
    monkeypatch.setenv("CGTK_HOME", str(home))
    return home
