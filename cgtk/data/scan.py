"""Decode-check a list of image files once, up front, and remember the result.

Every file is fully decoded with Pillow; a file that fails (truncated, empty,
not an image, ...) is recorded with its reason and left out of training. The
result per file is cached in ``$CGTK_HOME/scans/`` keyed by path, size and
modification time, so a second run over the same folder costs a ``stat`` per file.

Two limits make a decodable file unusable too, with the reason recorded the same
way: ``max_pixels`` (an image whose header claims more pixels is never decoded:
see :mod:`cgtk.data.decode`), and ``min_size`` (an image smaller than what the
caller needs, e.g. the training crop). Both are applied on top of the cache, so
changing them never needs a rescan.

>>> result = scan([])
>>> result.good, result.bad
([], [])
"""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cgtk.data.decode import DEFAULT_MAX_PIXELS, over_cap, probe
from cgtk.data.home import scans_dir


@dataclass
class FileInfo:
    """A usable image: its path, size after EXIF rotation, and whether tf.io decodes it."""

    path: Path
    width: int
    height: int
    tf: bool = False

    @property
    def nbytes(self) -> int:
        return self.width * self.height * 3


@dataclass
class ScanResult:
    """``good``: usable files, in the input order; ``bad``: ``(path, reason)`` pairs."""

    good: list[FileInfo] = field(default_factory=list)
    bad: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.good) + len(self.bad)


def _key(path: Path) -> str:
    return hashlib.sha1(str(path.parent.resolve()).encode()).hexdigest()[:16]


def _load_cache(file: Path) -> dict:
    try:
        return json.loads(file.read_text())
    except (OSError, ValueError):
        return {}


def _save_cache(file: Path, entries: dict) -> None:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entries))
        os.replace(tmp, file)
    except OSError:  # a read-only home only costs the next run a rescan
        pass


def _stamp(path: Path):
    try:
        st = path.stat()
        return [st.st_size, st.st_mtime_ns]
    except OSError:
        return None


def too_small(width: int, height: int, min_size: tuple[int, int] | None,
              why: str = "") -> str | None:
    """The reason a ``width`` x ``height`` image is below ``min_size`` = ``(w, h)``, else None.

    >>> too_small(1, 1, (32, 32), "the 32 px training crop")
    '1x1 is smaller than the 32x32 needed for the 32 px training crop'
    """
    if not min_size or (width >= min_size[0] and height >= min_size[1]):
        return None
    return (f"{width}x{height} is smaller than the {min_size[0]}x{min_size[1]} needed"
            + (f" for {why}" if why else ""))


def scan(paths, *, use_cache: bool = True, workers: int | None = None,
         max_pixels: int | None = DEFAULT_MAX_PIXELS, min_size: tuple[int, int] | None = None,
         min_size_why: str = "") -> ScanResult:
    """Decode-check ``paths`` (Pillow, full decode); return good and bad files.

    ``use_cache`` reads and updates the cache in ``$CGTK_HOME/scans`` (one file
    per folder). Images above ``max_pixels`` (None: no cap) or below ``min_size``
    ``(width, height)`` are bad, with a reason (``min_size_why`` says what needs it).
    """
    paths = [Path(p) for p in paths]
    records: list[dict | None] = [None] * len(paths)
    stamps = [_stamp(p) for p in paths]
    caches: dict[str, dict] = {}
    todo = []
    for i, p in enumerate(paths):
        if use_cache and stamps[i] is not None:
            key = _key(p)
            if key not in caches:
                caches[key] = _load_cache(scans_dir() / f"{key}.json")
            hit = caches[key].get(p.name)
            if hit and hit.get("stamp") == stamps[i] and not hit["info"].get("over_cap"):
                records[i] = hit["info"]
                continue
        todo.append(i)
    if todo:
        workers = workers or min(8, (os.cpu_count() or 2))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            probes = pool.map(lambda j: probe(paths[j], max_pixels), todo)
            for i, info in zip(todo, probes, strict=True):
                records[i] = info
                if use_cache and stamps[i] is not None and not info.get("over_cap"):
                    caches.setdefault(_key(paths[i]), {})[paths[i].name] = {
                        "stamp": stamps[i], "info": info}
        if use_cache:
            for key, entries in caches.items():
                _save_cache(scans_dir() / f"{key}.json", entries)
    result = ScanResult()
    for p, info in zip(paths, records, strict=True):
        if not info["ok"]:
            result.bad.append((str(p), info["reason"]))
            continue
        width, height = int(info["width"]), int(info["height"])
        reason = (over_cap(width, height, max_pixels)
                  or too_small(width, height, min_size, min_size_why))
        if reason:
            result.bad.append((str(p), reason))
        else:
            result.good.append(FileInfo(p, width, height, bool(info.get("tf"))))
    return result
