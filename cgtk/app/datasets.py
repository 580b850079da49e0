"""``cgtk data list|fetch|info|check``: known datasets, downloads and folder checks.

>>> "demo" in [row["name"] for row in list_datasets()]
True
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["list_datasets", "fetch_dataset", "dataset_info", "check_data"]


def list_datasets() -> list[dict]:
    """Rows: name, kind, summary, fetched, folder, urls, citation, licence (demo first)."""
    from cgtk.data import fetch, known

    rows = [{**d.as_dict(), "fetched": fetch.is_fetched(d.name),
             "folder": str(fetch.dataset_folder(d.name))} for d in known.KNOWN.values()]
    rows.insert(0, {"name": "demo", "kind": "any", "summary": "procedural demo data for every "
                    "kind (generated on the fly, nothing to fetch)", "fetched": True,
                    "urls": [], "folder": None, "citation": "", "licence": "cgtk"})
    return rows


def fetch_dataset(name: str, root: Path | None = None, *, force: bool = False,
                  feedback=None) -> tuple[Path, dict]:
    """Download, verify and unpack; ``(folder, the dataset's known entry as a dict)``."""
    from cgtk.data import fetch, known

    entry = known.get(name)
    return fetch.fetch(entry.name, root, force=force), entry.as_dict()


def _kind(kind: str | None) -> None:
    if kind:
        from cgtk.data.kinds import check_kind

        check_kind(kind)


def dataset_info(target: str, kind: str | None = None) -> dict:
    """Counts per split, image sizes, detected kind (and the known entry, if any)."""
    from cgtk.data import report

    _kind(kind)
    return report.info(target, kind)


def check_data(path: Path, kind: str | None = None, *, max_bad_fraction: float = 0.01,
               scale: int = 4) -> dict:
    """Decode every file: ``bad`` (path, reason), per-split counts, ``problems``,
    ``usable``."""
    from cgtk.data import report

    _kind(kind)
    return report.check(path, kind, max_bad_fraction=max_bad_fraction, scale=scale)
