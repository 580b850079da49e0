"""Where cgtk keeps downloaded datasets and caches: ``$CGTK_HOME`` (default ``~/.cache/cgtk``).

>>> import os
>>> os.environ["CGTK_HOME"] = "/tmp/cgtk-doc"
>>> str(datasets_dir())
'/tmp/cgtk-doc/datasets'
"""
from __future__ import annotations

import os
from pathlib import Path


def cgtk_home() -> Path:
    """``$CGTK_HOME``, or ``~/.cache/cgtk``."""
    value = os.environ.get("CGTK_HOME", "").strip()
    return Path(value).expanduser() if value else Path.home() / ".cache" / "cgtk"


def datasets_dir() -> Path:
    """The folder known datasets are fetched into: ``$CGTK_HOME/datasets``."""
    return cgtk_home() / "datasets"


def scans_dir() -> Path:
    """The folder holding cached decode-check results (see :mod:`cgtk.data.scan`)."""
    return cgtk_home() / "scans"
