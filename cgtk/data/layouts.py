"""Recognise a folder's layout for a data kind and list its files per split and role.

Roles per kind: ``unpaired`` -> ``A``, ``B``; ``paired`` -> ``AB`` (side by side,
the pix2pix layout) or ``A`` + ``B`` (matching names); ``single`` -> ``HR`` and
optionally ``LR``; ``style`` -> ``content``. Files are sorted by name, so the
listing (and with it every seeded shuffle) is the same on every machine.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for d in ("trainA", "trainB"):
...     (root / d).mkdir(); (root / d / "x.jpg").write_bytes(b"")
>>> layout = detect_layout(root, "unpaired")
>>> layout.name, sorted(layout.splits), sorted(layout.splits["train"])
('cyclegan', ['train'], ['A', 'B'])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cgtk.data.kinds import EXPECTED_LAYOUT, SPLITS, check_kind, is_image
from cgtk.errors import CgtkError

STYLE_NAMES = ("style.jpg", "style.jpeg", "style.png")


@dataclass
class Layout:
    """A recognised folder: ``splits[split][role]`` is a sorted list of image paths."""

    kind: str
    name: str
    root: Path
    splits: dict[str, dict[str, list[Path]]] = field(default_factory=dict)
    style_image: Path | None = None

    def counts(self) -> dict[str, dict[str, int]]:
        return {s: {r: len(f) for r, f in roles.items()} for s, roles in self.splits.items()}


def list_images(folder: Path) -> list[Path]:
    """Image files directly inside ``folder``, sorted by name (no recursion)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and is_image(p.name)),
                  key=lambda p: p.name)


def _pair_by_stem(a: list[Path], b: list[Path], what: str) -> tuple[list[Path], list[Path]]:
    """Match two lists by file stem; a file without partner is an error naming it."""
    b_by = {p.stem: p for p in b}
    a_by = {p.stem: p for p in a}
    lonely = [str(p) for p in a if p.stem not in b_by] + [str(p) for p in b if p.stem not in a_by]
    if lonely:
        more = f" and {len(lonely) - 3} more" if len(lonely) > 3 else ""
        raise CgtkError(f"{what}: no partner for {', '.join(lonely[:3])}{more}",
                        hint="each file needs a file of the same name in the other folder")
    return a, [b_by[p.stem] for p in a]


def _unpaired(root: Path) -> Layout | None:
    splits = {}
    for split in SPLITS:
        a, b = list_images(root / f"{split}A"), list_images(root / f"{split}B")
        if a or b:
            splits[split] = {"A": a, "B": b}
    if "train" not in splits and not splits:
        return None
    return Layout("unpaired", "cyclegan", root, splits)


def _paired(root: Path) -> Layout | None:
    ab = {s: (root / s / "A", root / s / "B") for s in SPLITS
          if (root / s / "A").is_dir() and (root / s / "B").is_dir()}
    if ab:
        splits = {}
        for s, (da, db) in ab.items():
            a, b = _pair_by_stem(list_images(da), list_images(db), f"paired data {root / s}")
            splits[s] = {"A": a, "B": b}
        return Layout("paired", "ab_folders", root, splits)
    splits = {s: {"AB": list_images(root / s)} for s in SPLITS if list_images(root / s)}
    if splits:
        return Layout("paired", "pix2pix", root, splits)
    return None


def _single_split(folder: Path) -> dict[str, list[Path]] | None:
    hr_dir = folder / "HR" if (folder / "HR").is_dir() else folder
    hr = list_images(hr_dir)
    if not hr:
        return None
    roles = {"HR": hr}
    lr = list_images(folder / "LR")
    if lr:
        roles["HR"], roles["LR"] = _pair_by_stem(hr, lr, f"super-resolution data {folder}")
    return roles


def _single(root: Path) -> Layout | None:
    splits = {s: r for s in SPLITS if (r := _single_split(root / s))}
    if splits:
        return Layout("single", "splits", root, splits)
    roles = _single_split(root)
    if roles:
        return Layout("single", "flat", root, {"train": roles})
    return None


def _style(root: Path) -> Layout | None:
    style = next((root / n for n in STYLE_NAMES if (root / n).is_file()), None)
    if list_images(root / "content"):
        splits = {"train": {"content": list_images(root / "content")}}
        name = "content"
    else:
        splits = {s: {"content": list_images(root / s)} for s in SPLITS if list_images(root / s)}
        name = "splits"
        if not splits:
            content = [p for p in list_images(root) if p.name not in STYLE_NAMES]
            if not content:
                return None
            splits, name = {"train": {"content": content}}, "flat"
    return Layout("style", name, root, splits, style_image=style)


_DETECT = {"unpaired": _unpaired, "paired": _paired, "single": _single, "style": _style}


def detect_layout(root: Path, kind: str) -> Layout:
    """The layout of ``root`` for ``kind``; a folder that matches none is a
    :class:`cgtk.CgtkError` that shows the expected layout."""
    check_kind(kind)
    root = Path(root)
    if not root.is_dir():
        raise CgtkError(f"--data {root}: no such folder")
    layout = _DETECT[kind](root)
    if layout is None or "train" not in layout.splits and kind != "single":
        found = sorted(p.name + ("/" if p.is_dir() else "") for p in root.iterdir())[:8]
        raise CgtkError(
            f"--data {root} does not look like {kind} data (found: "
            f"{', '.join(found) or 'nothing'}); expected:\n{EXPECTED_LAYOUT[kind]}")
    return layout


def matching_kinds(root: Path) -> list[str]:
    """Every kind whose layout ``root`` matches (used by ``cgtk data info``)."""
    kinds = []
    for kind, fn in _DETECT.items():
        try:
            layout = fn(Path(root))
        except CgtkError:
            continue
        if layout is not None and layout.splits:
            kinds.append(kind)
    return kinds
