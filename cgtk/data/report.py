"""What ``cgtk data info`` and ``cgtk data check`` report about a folder or dataset.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for d in ("trainA", "trainB"): (root / d).mkdir()
>>> guess_kinds(root)
['unpaired']
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from cgtk.data import known
from cgtk.data.kinds import SPLITS
from cgtk.data.layouts import detect_layout, list_images, matching_kinds
from cgtk.errors import CgtkError


def _header_size(path: Path):
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.size
    except Exception:
        return None


def guess_kinds(root: Path) -> list[str]:
    """Kinds ``root`` can be used as, most likely first."""
    root = Path(root)
    if any((root / f"{s}{d}").is_dir() for s in SPLITS for d in "AB"):
        return ["unpaired"]
    if any((root / s / "A").is_dir() and (root / s / "B").is_dir() for s in SPLITS):
        return ["paired"]
    kinds = matching_kinds(root)
    split_images = [p for s in SPLITS for p in list_images(root / s)[:5]]
    sizes = [s for s in map(_header_size, split_images) if s]
    if sizes and sum(w == 2 * h for w, h in sizes) > len(sizes) / 2 and "paired" in kinds:
        return ["paired"] + [k for k in kinds if k != "paired"]
    return [k for k in ("single", "style", "paired") if k in kinds]


def _size_summary(paths: list[Path], limit: int = 200) -> dict:
    sizes = [s for s in map(_header_size, paths[:limit]) if s]
    if not sizes:
        return {}
    common = Counter(f"{w}x{h}" for w, h in sizes).most_common(3)
    return {"sampled": len(sizes), "most_common": [{"size": s, "count": c} for s, c in common],
            "min": f"{min(w for w, _ in sizes)}x{min(h for _, h in sizes)}",
            "max": f"{max(w for w, _ in sizes)}x{max(h for _, h in sizes)}"}


def info(target: str, kind: str | None = None) -> dict:
    """Counts per split and role, image sizes, detected kind, for a known name or a folder."""
    from cgtk.data import fetch

    result: dict = {"target": target}
    path = Path(target).expanduser()
    if not path.exists() and known.is_known(target):
        entry = known.get(target)
        result.update(known=entry.as_dict(), fetched=fetch.is_fetched(entry.name),
                      folder=str(fetch.dataset_folder(entry.name)))
        if not result["fetched"]:
            return result
        path = fetch.layout_root(fetch.dataset_folder(entry.name), entry)
        kind = kind or entry.kind
    if not path.is_dir():
        raise CgtkError(f"{target}: no such folder and not a known dataset",
                        hint=f"known: {', '.join(known.names())}")
    kinds = [kind] if kind else guess_kinds(path)
    result.update(root=str(path.resolve()), kinds=kinds, kind=kinds[0] if kinds else None)
    if not kinds:
        result["error"] = "no layout matches"
        return result
    layout = detect_layout(path, kinds[0])
    result["layout"] = layout.name
    result["splits"] = {
        split: {role: {"count": len(files), "sizes": _size_summary(files)}
                for role, files in roles.items()}
        for split, roles in layout.splits.items()}
    if layout.style_image:
        result["style_image"] = str(layout.style_image)
    return result


def check(root: str | Path, kind: str | None = None, *, max_bad_fraction: float = 0.01,
          scale: int = 4) -> dict:
    """Decode every file; report unusable ones and whether each split can be used."""
    from cgtk.data.scan import scan
    from cgtk.data.splits import _check_sizes

    root = Path(root).expanduser()
    if not root.is_dir():
        raise CgtkError(f"{root}: no such folder")
    kinds = [kind] if kind else guess_kinds(root)
    if not kinds:
        raise CgtkError(f"{root}: matches no data layout", hint="see 'cgtk data info'")
    kind = kinds[0]
    report: dict = {"root": str(root.resolve()), "kind": kind, "splits": {}, "bad": [],
                    "problems": []}
    try:
        layout = detect_layout(root, kind)
    except CgtkError as err:
        report["problems"].append(str(err))
        report["usable"] = False
        return report
    report["layout"] = layout.name
    for split, roles in layout.splits.items():
        results = {role: scan(files, use_cache=False) for role, files in roles.items()}
        total = sum(r.total for r in results.values())
        bad = [b for r in results.values() for b in r.bad]
        report["bad"].extend({"path": p, "reason": r, "split": split} for p, r in bad)
        counts = {role: len(r.good) for role, r in results.items()}
        report["splits"][split] = {"files": total, "bad": len(bad), "good": counts}
        for role, n in counts.items():
            if n == 0:
                report["problems"].append(f"{split}: no usable images for role {role}")
        if total and len(bad) / total > max_bad_fraction:
            report["problems"].append(
                f"{split}: {len(bad)} of {total} files unusable (more than "
                f"max_bad_fraction={max_bad_fraction:g})")
        pairs = [r for r in roles if r in ("A", "LR")] if kind in ("paired", "single") else []
        if pairs and len(roles) == 2:
            first, second = list(roles)
            goods = [{i.path: i for i in results[r].good} for r in (first, second)]
            kept = [(goods[0].get(a), goods[1].get(b))
                    for a, b in zip(roles[first], roles[second], strict=True)]
            kept = [(a, b) for a, b in kept if a and b]
            try:
                _check_sizes(kind, [a for a, _ in kept], [b for _, b in kept], scale)
            except CgtkError as err:
                report["problems"].append(f"{split}: {err.message}")
    report["usable"] = not report["problems"]
    return report
