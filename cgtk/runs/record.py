"""The run record: one typed, versioned ``config.json``, read and written through one type.

``cgtk train`` and ``cgtk import`` write it; ``infer``, ``eval``, ``export``, ``report``
and ``--resume`` read it. Every reader goes through :meth:`RunRecord.from_dict`, so a key
is named in one place. Records written before the schema had a version (cgtk 0.1's)
read as version 1; a record from a newer cgtk is refused with a clear message rather
than misread. Keys this version does not know are kept in ``extra`` and written back.

>>> rec = RunRecord.from_dict({"plugin": {"name": "pix2pix", "data_kind": "paired"},
...                            "config": {"ngf": 8},
...                            "inference": {"generator": {"file": "generator.keras",
...                                                        "multiple": 32}}})
>>> rec.plugin.name, rec.inference["generator"].multiple, rec.schema_version
('pix2pix', 32, 1)
>>> RunRecord.from_dict(rec.to_dict()).to_dict()["schema_version"]
2
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from cgtk.errors import CgtkError

SCHEMA_VERSION = 2
"""2: adds ``schema_version`` itself. 1: cgtk 0.1's records (no version field)."""


@dataclass
class InferenceSpec:
    """One inference network of a run: its ``.keras`` file and how it maps its input.

    ``multiple``: the size the input is padded to a multiple of; ``scale``: output size
    over input size; ``description``: what goes in and comes out, for the user.
    """

    name: str
    file: str
    multiple: int = 1
    scale: int = 1
    description: str = ""

    @classmethod
    def from_inference(cls, name: str, inference) -> InferenceSpec:
        """From a plugin's :class:`cgtk.Inference` (the network itself stays out)."""
        return cls(name=name, file=f"{name}.keras", multiple=int(inference.multiple),
                   scale=int(inference.scale), description=inference.description)

    def to_dict(self) -> dict:
        return {"file": self.file, "multiple": self.multiple, "scale": self.scale,
                "description": self.description}


@dataclass
class PluginRef:
    """Which plugin, from which distribution, made the run."""

    name: str
    version: str | None = None
    dist: str | None = None
    data_kind: str | None = None


@dataclass
class RunRecord:
    """Everything ``config.json`` holds; see the module docstring."""

    plugin: PluginRef
    config: dict = field(default_factory=dict)
    inference: dict[str, InferenceSpec] = field(default_factory=dict)
    data: dict | None = None
    backend: str | None = None
    precision: str | None = None
    seed: int | None = None
    jit: bool | None = None
    batch_size: int | None = None
    image_size: int | None = None
    distribution: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    cgtk_version: str | None = None
    created: str | None = None
    command: str = ""
    schema_version: int = SCHEMA_VERSION
    extra: dict = field(default_factory=dict)

    # ------------------------------------------------------------ reading ---

    @classmethod
    def from_dict(cls, raw: dict, path: Path | str | None = None) -> RunRecord:
        where = f"{path}: " if path else ""
        if not isinstance(raw, dict):
            raise CgtkError(f"{where}not a cgtk run record (expected a JSON object)")
        version = raw.get("schema_version", 1)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise CgtkError(
                f"{where}written by a newer cgtk (run record schema {version}; this cgtk "
                f"reads up to {SCHEMA_VERSION})", hint="upgrade cgtk: pip install -U cgtk")
        plugin = raw.get("plugin") or {}
        if not isinstance(plugin, dict) or not plugin.get("name"):
            raise CgtkError(f"{where}not a cgtk run record (no plugin name)")
        known = {f.name for f in dataclasses.fields(cls)}
        inference = {}
        for name, spec in (raw.get("inference") or {}).items():
            spec = spec or {}
            inference[name] = InferenceSpec(
                name=name, file=str(spec.get("file") or f"{name}.keras"),
                multiple=int(spec.get("multiple") or 1), scale=int(spec.get("scale") or 1),
                description=str(spec.get("description") or ""))
        values = {k: raw[k] for k in known - {"plugin", "inference", "extra"} if k in raw}
        values["schema_version"] = version
        return cls(plugin=PluginRef(**{k: plugin.get(k) for k in
                                       ("name", "version", "dist", "data_kind")}),
                   inference=inference,
                   extra={k: v for k, v in raw.items() if k not in known}, **values)

    # ------------------------------------------------------------ writing ---

    def to_dict(self) -> dict:
        out = {"schema_version": SCHEMA_VERSION}
        for f in dataclasses.fields(self):
            if f.name in ("schema_version", "extra"):
                continue
            value = getattr(self, f.name)
            if f.name == "provenance" and not value:  # records before it had none
                continue
            if f.name == "plugin":
                value = dataclasses.asdict(value)
            elif f.name == "inference":
                value = {name: spec.to_dict() for name, spec in value.items()}
            out[f.name] = value
        out.update(self.extra)
        return out
