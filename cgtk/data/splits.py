"""Load one split of a source into image stores, applying the bad-file policy.

Every file is decode-checked once (:mod:`cgtk.data.scan`). Unusable files are
skipped, each logged with its path and reason; a paired file's partner is
dropped with it. A split that is empty, or has more than ``max_bad_fraction`` bad
files, is a :class:`cgtk.CgtkError`. Paired A/B images of different sizes, and
LR images that are not HR/scale, are errors naming both files.

>>> from cgtk.data.source import resolve_source
>>> data = load_split(resolve_source("demo", "single"), "test", image_size=32)
>>> len(data.roles["HR"]), data.skipped
(16, [])
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from cgtk.data.decode import DEFAULT_MAX_PIXELS
from cgtk.data.demo import DEFAULT_SIZE, demo_split
from cgtk.data.scan import scan
from cgtk.data.store import FileStore, MemoryStore, cache_budget, make_store
from cgtk.errors import CgtkError

log = logging.getLogger("cgtk.data")

_ROLE_NAMES = {"A": "domain A", "B": "domain B", "AB": "images", "HR": "HR images",
               "LR": "LR images", "content": "content images"}


@dataclass
class SplitData:
    """One split: ``roles[role]`` is a store; ``combined`` means A|B side by side."""

    kind: str
    split: str
    roles: dict
    skipped: list[tuple[str, str]] = field(default_factory=list)
    combined: bool = False

    def __len__(self) -> int:
        return max(len(s) for s in self.roles.values())


def demo_size(kind: str, image_size: int) -> int:
    """The size demo images are drawn at: the kind's default, or the crop if larger."""
    return max(DEFAULT_SIZE[kind], int(image_size))


def available_split(source, preferred: tuple[str, ...]) -> str:
    """The first of ``preferred`` the source has; a CgtkError if none."""
    have = source.splits
    for split in preferred:
        if split in have:
            return split
    raise CgtkError(f"--data {source.name}: no {' / '.join(preferred)} split "
                    f"(found: {', '.join(have) or 'none'})")


def load_split(source, split: str, *, image_size: int = 64, scale: int = 4,
               max_bad_fraction: float = 0.01, in_memory: bool = True,
               max_pixels: int | None = DEFAULT_MAX_PIXELS, min_side: int = 1,
               min_side_why: str = "") -> SplitData:
    """The stores of ``split`` of ``source`` (a :class:`~cgtk.data.source.DataSource`).

    ``in_memory``: decode into memory when the split fits the cache budget;
    otherwise (or when False) decode from the files in the pipeline. Images above
    ``max_pixels``, or with a side below ``min_side`` (each half of a side-by-side
    pair; ``min_side / scale`` for LR images), are skipped and counted as unusable.
    """
    kind = source.kind
    if source.origin == "demo":
        if split not in ("train", "test"):
            raise CgtkError(f"demo data has no {split!r} split (it has train and test)")
        arrays = demo_split(kind, split, demo_size(kind, image_size))
        roles = {r: MemoryStore(a, [f"demo_{split}_{i:04d}.png" for i in range(len(a))])
                 for r, a in arrays.items()}
        return SplitData(kind, split, roles)
    layout = source.files()
    if split not in layout.splits:
        raise CgtkError(f"--data {source.root}: no {split!r} split "
                        f"(found: {', '.join(layout.splits) or 'none'})")
    files = layout.splits[split]
    def need(role):
        side = max(1, min_side // scale) if role == "LR" else max(1, min_side)
        return (2 * side, side) if role == "AB" else (side, side)

    results = {role: scan(paths, max_pixels=max_pixels, min_size=need(role),
                          min_size_why=min_side_why) for role, paths in files.items()}
    total = sum(r.total for r in results.values())
    skipped = [b for r in results.values() for b in r.bad]
    for path, reason in skipped:
        log.warning("skipping %s: %s", path, reason)
    good = {role: {i.path: i for i in r.good} for role, r in results.items()}
    roles_in_order = list(files)
    if kind == "paired" and "A" in files or kind == "single" and "LR" in files:
        first, second = roles_in_order[0], roles_in_order[1]
        kept = [(good[first].get(pa), good[second].get(pb))
                for pa, pb in zip(files[first], files[second], strict=True)]
        kept = [(a, b) for a, b in kept if a is not None and b is not None]
        infos = {first: [a for a, _ in kept], second: [b for _, b in kept]}
        _check_sizes(kind, infos[first], infos[second], scale)
    else:
        infos = {role: [good[role][p] for p in paths if p in good[role]]
                 for role, paths in files.items()}
    where = f"{source.root} ({split})"
    for role, items in infos.items():
        if not items:
            raise CgtkError(f"{where}: no usable {_ROLE_NAMES.get(role, role)}"
                            + (f" ({len(results[role].bad)} unusable)" if results[role].bad
                               else ""), hint=f"run 'cgtk data check {source.root}'")
    if total and len(skipped) / total > max_bad_fraction:
        listed = "; ".join(f"{p}: {r}" for p, r in skipped[:3])
        more = f"; and {len(skipped) - 3} more" if len(skipped) > 3 else ""
        raise CgtkError(
            f"{where}: {len(skipped)} of {total} files are unusable, more than "
            f"max_bad_fraction={max_bad_fraction:g} ({listed}{more})",
            hint=f"run 'cgtk data check {source.root}', remove or fix them, or raise "
                 "--set max_bad_fraction")
    budget = cache_budget() if in_memory else 0
    stores = {}
    for role, items in infos.items():
        store = make_store(items, budget)
        if isinstance(store, MemoryStore):
            budget -= sum(i.nbytes for i in items)
        stores[role] = store
    combined = kind == "paired" and "AB" in stores
    return SplitData(kind, split, stores, skipped, combined)


def _check_sizes(kind: str, first, second, scale: int) -> None:
    for a, b in zip(first, second, strict=True):
        if kind == "paired" and (a.width, a.height) != (b.width, b.height):
            raise CgtkError(f"paired images differ in size: {a.path} is {a.width}x{a.height}, "
                            f"{b.path} is {b.width}x{b.height}",
                            hint="A and B of a pair must have the same size")
        if kind == "single" and (b.width, b.height) != (a.width // scale, a.height // scale):
            raise CgtkError(
                f"LR image {b.path} is {b.width}x{b.height}, expected "
                f"{a.width // scale}x{a.height // scale} (HR {a.path} is {a.width}x{a.height} "
                f"at scale {scale})", hint="check --set scale, or remove the LR/ folder")


__all__ = ["SplitData", "load_split", "available_split", "demo_size", "FileStore"]
