"""``--data`` resolution: a known dataset name, a folder path, or ``demo``.

>>> src = resolve_source("demo", "paired")
>>> src.origin, src.layout, src.describe()["kind"]
('demo', 'demo', 'paired')
>>> DataSource.from_description(src.describe()) == src
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cgtk.data import known
from cgtk.data.kinds import check_kind
from cgtk.data.layouts import Layout, detect_layout
from cgtk.errors import CgtkError


@dataclass
class DataSource:
    """Where a run's data comes from.

    Attributes:
        kind: the data kind (``unpaired``, ``paired``, ``single``, ``style``).
        origin: ``"demo"``, ``"known"`` (a registry dataset) or ``"path"`` (a folder).
        name: ``"demo"``, the dataset name, or the folder's name.
        root: the folder holding the layout (None for demo).
        layout: the recognised layout (``demo``, ``cyclegan``, ``pix2pix``,
            ``ab_folders``, ``flat``, ``splits``, ``content``).
        hints: reference settings of a known dataset (e.g. ``{"direction": "BtoA"}``).
    """

    kind: str
    origin: str
    name: str
    root: Path | None = None
    layout: str = "demo"
    hints: dict = field(default_factory=dict)
    _layout: Layout | None = field(default=None, repr=False, compare=False)

    def describe(self) -> dict:
        """A JSON-serialisable description, enough to rebuild the source."""
        return {"kind": self.kind, "origin": self.origin, "name": self.name,
                "root": str(self.root) if self.root else None, "layout": self.layout,
                "hints": dict(self.hints)}

    @classmethod
    def from_description(cls, d: dict) -> DataSource:
        """Rebuild a source from :meth:`describe`'s dict (re-detecting the folder's layout)."""
        if d["origin"] == "demo":
            return resolve_source("demo", d["kind"])
        if d["origin"] == "known":
            return resolve_source(d["name"], d["kind"])
        return resolve_source(d["root"], d["kind"])

    def files(self) -> Layout:
        """The folder's layout (splits and file lists); not for demo sources."""
        if self._layout is None:
            if self.root is None:
                raise ValueError("a demo source has no files")
            self._layout = detect_layout(self.root, self.kind)
        return self._layout

    @property
    def splits(self) -> list[str]:
        """The splits the source has."""
        if self.origin == "demo":
            return ["train", "test"]
        return list(self.files().splits)


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.startswith(".") or text.startswith("~")


def resolve_source(data: str | Path | None, kind: str, default_data: str | None = None,
                   *, fetch: bool = True, progress: bool = True) -> DataSource:
    """Resolve ``--data`` for a plugin of data kind ``kind``.

    ``data`` None falls back to ``default_data``; ``"demo"`` gives procedural data; a
    known dataset name gives its cached folder (fetched on first use, unless
    ``fetch=False``); an existing folder is checked against the layouts of ``kind``.
    Anything else is a :class:`cgtk.CgtkError`.
    """
    check_kind(kind)
    if data is None or str(data).strip() == "":
        data = default_data
    if data is None:
        raise CgtkError("no data given", hint="pass --data demo, a dataset name "
                        "('cgtk data list') or a folder")
    text = str(data)
    if text == "demo":
        return DataSource(kind, "demo", "demo", None, "demo")
    path = Path(text).expanduser()
    if not path.exists() and not _looks_like_path(text) and known.is_known(text):
        entry = known.get(text)
        if entry.kind != kind:
            raise CgtkError(f"--data {text}: dataset {entry.name!r} is {entry.kind} data, this "
                            f"model needs {kind} data")
        from cgtk.data import fetch as fetching

        if fetch:
            root = fetching.fetch(entry.name, progress=progress)
        elif fetching.is_fetched(entry.name):
            root = fetching.layout_root(fetching.dataset_folder(entry.name), entry)
        else:
            raise CgtkError(f"dataset {entry.name!r} is not fetched yet",
                            hint=f"run 'cgtk data fetch {entry.name}'")
        layout = detect_layout(root, kind)
        return DataSource(kind, "known", entry.name, root, layout.name, dict(entry.hints),
                          _layout=layout)
    if path.exists():
        if not path.is_dir():
            raise CgtkError(f"--data {path}: is a file, expected a folder")
        layout = detect_layout(path, kind)
        return DataSource(kind, "path", path.resolve().name, path.resolve(), layout.name,
                          _layout=layout)
    raise CgtkError(f"--data {text}: no such folder and not a known dataset",
                    hint=f"known: {', '.join(known.names())}; or 'demo'")
