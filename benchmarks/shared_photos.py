"""The shared scene photos the benchmarks read (``../shared/data/photos/sun_hays80`` beside
the checkout, or ``$CGTK_SHARED_DATA/photos/sun_hays80``); they are never copied into the
repo. Imported by the scripts in this folder, which run with it on ``sys.path``."""
from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_photos_dir() -> Path:
    """The folder of the 80 scene photos; exits with a one-line message if it is missing."""
    root = Path(os.environ.get("CGTK_SHARED_DATA") or REPO.parent / "shared" / "data")
    path = root / "photos" / "sun_hays80"
    if not path.is_dir() or not any(path.glob("*.jpg")):
        sys.exit(f"no scene photos under {path} (set CGTK_SHARED_DATA)")
    return path
