"""The run record: one typed, versioned ``config.json``, read and written through one type.

``cgtk train`` and ``cgtk import`` write it; ``infer``, ``eval``, ``export``, ``report``,
``--init-from`` and ``--resume`` read it. Every reader goes through
:meth:`RunRecord.from_dict` (or :func:`read_run_record`, which also opens the file), so a
key is named in one place. Records written before the schema had a version (cgtk 0.1's)
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
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cgtk.errors import CgtkError

SCHEMA_VERSION = 2
"""2: adds ``schema_version`` itself. 1: cgtk 0.1's records (no version field)."""

CONFIG = "config.json"

#: The order keys are written in (``cgtk train``'s order before the record was typed);
#: ``provenance`` and ``imported`` are left out when empty, as records before them had none.
_ORDER = ("schema_version", "cgtk_version", "created", "plugin", "config", "data",
          "batch_size", "image_size", "backend", "precision", "seed", "jit", "distribution",
          "inference", "versions", "command", "provenance", "imported")
_OMIT_EMPTY = ("provenance", "imported")


def _where(path) -> str:
    return f"{path}: " if path else ""


@dataclass
class InferenceSpec:
    """One inference network of a run: its ``.keras`` file and how it maps its input.

    ``file``: the file's name inside the run directory (see :meth:`path_in`);
    ``multiple``: the size the input is padded to a multiple of; ``scale``: output size
    over input size; ``description``: what goes in and comes out, for the user.

    >>> spec = InferenceSpec("generator", "generator.keras", multiple=4)
    >>> spec.path_in("runs/r").as_posix()
    'runs/r/generator.keras'
    """

    name: str
    file: str
    multiple: int = 1
    scale: int = 1
    description: str = ""

    @classmethod
    def from_inference(cls, name: str, inference) -> InferenceSpec:
        """From a plugin's :class:`cgtk.Inference` (the network itself stays out): the one
        conversion from what a plugin declares to what a run records."""
        return cls(name=name, file=f"{name}.keras", multiple=int(inference.multiple),
                   scale=int(inference.scale), description=inference.description)

    @classmethod
    def from_dict(cls, name: str, raw, path=None) -> InferenceSpec:
        """From config.json's ``inference[name]``; CgtkError naming ``path`` if malformed."""
        raw = raw or {}
        try:
            if not isinstance(raw, dict):
                raise TypeError("not an object")
            return cls(name=name, file=str(raw.get("file") or f"{name}.keras"),
                       multiple=int(raw.get("multiple") or 1), scale=int(raw.get("scale") or 1),
                       description=str(raw.get("description") or ""))
        except (TypeError, ValueError) as err:
            raise CgtkError(f"{_where(path)}inference network {name!r} is malformed ({err})",
                            hint="re-write the run with 'cgtk train --resume'") from None

    def path_in(self, folder, where=None) -> Path:
        """The network's file inside the run directory ``folder``. CgtkError (naming
        ``where``, e.g. the config.json) if the record points anywhere else."""
        if Path(self.file).name != self.file or not self.file.endswith(".keras"):
            where = where or Path(folder) / CONFIG
            raise CgtkError(f"{where}: inference file {self.file!r} must be a .keras file "
                            "inside the run directory")
        return Path(folder) / self.file

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


def _describe(thing):
    """``thing.describe()``, or ``thing`` itself when it already is the description."""
    return thing.describe() if hasattr(thing, "describe") else thing


@dataclass
class RunRecord:
    """Everything ``config.json`` holds; see the module docstring.

    ``imported``: for ``cgtk import`` runs, one entry per weights file (its sha256,
    format and the key mapping used).
    """

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
    imported: list = field(default_factory=list)
    cgtk_version: str | None = None
    created: str | None = None
    command: str = ""
    schema_version: int = SCHEMA_VERSION
    extra: dict = field(default_factory=dict)

    # ----------------------------------------------------------- building ---

    @classmethod
    def for_training(cls, *, info, config, source, distribution, jit,
                     inference_networks: dict, versions: dict, provenance: dict | None = None,
                     command: str | None = None, created: str | None = None) -> RunRecord:
        """The record ``cgtk train`` writes: enough to infer, evaluate and resume with no
        other flags.

        Args:
            info: the plugin's :class:`~cgtk.registry.PluginInfo` (name, version, dist,
                data_kind).
            config: the resolved :class:`cgtk.TrainConfig`.
            source: the data source (its ``describe()``), or the description itself
                (``None``: no data, as for ``cgtk import``).
            distribution: the distribution (its ``describe()``), or the description.
            jit: whether the step is compiled with XLA.
            inference_networks: the model's ``inference_networks()``, name ->
                :class:`cgtk.Inference`.
            versions: package versions; provenance: where each config value came from.
            command: the command line (default: ``cgtk`` and this process's arguments);
            created: the timestamp (default: now).
        """
        from cgtk._version import __version__

        if command is None:
            command = " ".join(["cgtk", *sys.argv[1:]]) if sys.argv else ""
        return cls(
            plugin=PluginRef(name=info.name, version=info.version, dist=info.dist,
                             data_kind=info.data_kind),
            config=config.to_dict(), data=_describe(source),
            batch_size=config.batch_size, image_size=config.image_size,
            backend=config.backend, precision=config.precision, seed=config.seed, jit=jit,
            distribution=_describe(distribution),
            inference={name: InferenceSpec.from_inference(name, inf)
                       for name, inf in inference_networks.items()},
            versions=dict(versions), provenance=dict(provenance or {}),
            cgtk_version=__version__,
            created=created or time.strftime("%Y-%m-%dT%H:%M:%S%z"), command=command)

    # ------------------------------------------------------------ reading ---

    @classmethod
    def from_dict(cls, raw: dict, path: Path | str | None = None) -> RunRecord:
        """Read config.json's object; ``path`` names the file in errors."""
        where = _where(path)
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
        inference = raw.get("inference") or {}
        if not isinstance(inference, dict):
            raise CgtkError(f"{where}not a cgtk run record (its inference is not an object)")
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: raw[k] for k in known - {"plugin", "inference", "extra"} if k in raw}
        for key, kind in (("config", dict), ("distribution", dict), ("versions", dict),
                          ("provenance", dict), ("imported", list), ("data", dict)):
            value = values.get(key)
            if value is not None and not isinstance(value, kind):
                raise CgtkError(f"{where}not a cgtk run record (its {key} is not a JSON "
                                f"{'object' if kind is dict else 'list'})")
            if key != "data":
                values[key] = value or kind()
        values["command"] = values.get("command") or ""
        values["schema_version"] = version
        return cls(plugin=PluginRef(**{k: plugin.get(k) for k in
                                       ("name", "version", "dist", "data_kind")}),
                   inference={name: InferenceSpec.from_dict(name, spec, path)
                              for name, spec in inference.items()},
                   extra={k: v for k, v in raw.items() if k not in known}, **values)

    # ------------------------------------------------------------ writing ---

    def to_dict(self) -> dict:
        """The JSON object config.json holds (always at this cgtk's schema version)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                  if f.name != "extra"}
        values["schema_version"] = SCHEMA_VERSION
        values["plugin"] = dataclasses.asdict(self.plugin)
        values["inference"] = {name: spec.to_dict() for name, spec in self.inference.items()}
        out = {k: values[k] for k in _ORDER if not (k in _OMIT_EMPTY and not values[k])}
        out.update(self.extra)
        return out


def read_run_record(path, *, what: str | None = None, hint: str | None = None) -> RunRecord:
    """The :class:`RunRecord` of the run directory ``path`` (its ``config.json``).

    A folder that is not a run, or a config.json that cannot be read, is a
    :class:`~cgtk.errors.CgtkError` that starts with ``what`` (default: the path; a
    plugin option says e.g. ``"init_from=RUN"``) and ends with ``hint``.

    >>> import tempfile
    >>> try:
    ...     read_run_record(tempfile.mkdtemp(), what="init_from=x")
    ... except CgtkError as err:
    ...     print(err.message)
    init_from=x: not a cgtk run directory (no config.json)
    """
    run = Path(path).expanduser()
    config = run / CONFIG
    what = what or str(run)
    if not config.is_file():
        raise CgtkError(f"{what}: not a cgtk run directory (no {CONFIG})",
                        hint=hint or "pass the folder 'cgtk train' wrote")
    try:
        raw = json.loads(config.read_text())
    except (OSError, ValueError) as err:
        raise CgtkError(f"{what}: cannot read {CONFIG} ({err})", hint=hint) from None
    return RunRecord.from_dict(raw, config)
