"""Fixtures for the metrics tests: where the shared Set5 images are."""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def set5_dir() -> Path:
    """``$CGTK_SHARED_DATA/sr/Set5`` or ``<repo>/../shared/data/sr/Set5``; fails if missing."""
    root = Path(os.environ.get("CGTK_SHARED_DATA") or REPO.parent / "shared" / "data")
    path = root / "sr" / "Set5"
    if not path.is_dir():
        pytest.fail(f"Set5 not found at {path}: put the shared data beside the checkout "
                    "or set CGTK_SHARED_DATA")
    return path
