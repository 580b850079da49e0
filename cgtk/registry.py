"""The plugin registry: find → load → classify, after flake8's plugin finder.

* **find** reads the ``cgtk.plugins`` entry points from installed
  distributions' metadata; nothing is imported. ``CGTK_PLUGINS=a,b`` keeps
  only those names.
* **load** imports what an entry point names. For a :class:`cgtk.Plugin`
  spec that is a keras-free module, so listing stays instant; the model class
  itself is imported only when the plugin is used or shown (:func:`load_class`).
* **classify** turns every failure into a ``broken`` :class:`PluginInfo` with
  a one-line reason. A broken plugin never breaks another command; naming it
  explicitly raises :class:`cgtk.CgtkError` with that reason.

>>> infos = discover()          # doctest: +SKIP
>>> [i.name for i in infos if i.ok]   # doctest: +SKIP
['cyclegan', 'pix2pix', 'srgan', 'srresnet', 'style']
"""
from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass, field
from importlib import metadata

from cgtk.errors import CgtkError
from cgtk.plugin import API_VERSION, DATA_KINDS, Plugin

GROUP = "cgtk.plugins"
ENV_FILTER = "CGTK_PLUGINS"
REQUIRED_CLASS_ATTRIBUTES = ("Config", "data_kind", "title")
_SPEC_FIELD = {"title": "summary"}  # class attribute -> cgtk.Plugin field


@dataclass
class PluginInfo:
    """What the registry knows about one entry point."""

    name: str
    target: str
    dist: str | None = None
    version: str | None = None
    summary: str = ""
    data_kind: str = ""
    default_data: str | None = None
    status: str = "ok"  # "ok" or "broken"
    error: str | None = None
    spec: Plugin | None = field(default=None, repr=False)
    cls: type | None = field(default=None, repr=False)
    entry_point: metadata.EntryPoint | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def mark_broken(self, reason: str) -> PluginInfo:
        self.status, self.error = "broken", reason
        return self

    def as_dict(self) -> dict:
        keys = ("name", "version", "dist", "summary", "data_kind", "default_data",
                "status", "error", "target")
        return {k: getattr(self, k) for k in keys}


# ------------------------------------------------------------------ find ---

def _entry_points():
    """Every entry point in the group, with its distribution (deduplicated)."""
    seen = set()
    for dist in metadata.distributions():
        try:
            eps = dist.entry_points
        except Exception:  # noqa: BLE001 - a damaged dist-info must not break us
            continue
        for ep in eps:
            if ep.group != GROUP:
                continue
            dist_name = dist.metadata["Name"] if dist.metadata else None
            key = (ep.name, ep.value, dist_name)
            if key in seen:  # the same distribution seen twice on sys.path
                continue
            seen.add(key)
            yield ep, dist_name, dist.version


def _name_filter() -> set[str] | None:
    raw = os.environ.get(ENV_FILTER)
    if raw is None:
        return None
    return {n.strip() for n in raw.split(",") if n.strip()}


def find() -> list[PluginInfo]:
    """Read entry-point metadata only; flag duplicate names as broken."""
    wanted = _name_filter()
    infos = [
        PluginInfo(name=ep.name, target=ep.value, dist=dist, version=version, entry_point=ep)
        for ep, dist, version in _entry_points()
        if wanted is None or ep.name in wanted
    ]
    by_name: dict[str, list[PluginInfo]] = {}
    for info in infos:
        by_name.setdefault(info.name, []).append(info)
    for name, group in by_name.items():
        if len(group) > 1:
            where = " and ".join(f"{i.dist or '?'} ({i.target})" for i in group)
            for info in group:
                info.mark_broken(f"the name '{name}' is registered twice: by {where}")
    return sorted(infos, key=lambda i: (i.name, i.dist or ""))


# ------------------------------------------------------------------ load ---

def _one_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}".rstrip(": ")


def _load_entry_point(info: PluginInfo) -> None:
    """Import the entry point's target (a keras-free spec, or a class)."""
    try:
        target = info.entry_point.load()
    except Exception as err:  # noqa: BLE001 - any failure marks the plugin broken
        info.mark_broken(f"cannot import {info.target}: {_one_line(err)}")
        return
    if isinstance(target, Plugin):
        info.spec = target
        problems = target.problems()
        if problems:
            info.mark_broken("; ".join(problems))
            return
        info.summary, info.data_kind = target.summary, target.data_kind
        info.default_data = target.default_data
    elif isinstance(target, type):
        _check_class(info, target)
    else:
        info.mark_broken(
            f"{info.target} is a {type(target).__name__}, not a cgtk.Plugin spec or a plugin class")


def _check_class(info: PluginInfo, cls: type) -> None:
    """Classify a loaded model class; fill what the spec did not say."""
    from cgtk.engine.model import GANModel  # imports Keras: only on use

    if not (isinstance(cls, type) and issubclass(cls, GANModel)):
        info.mark_broken(f"{cls!r} is not a subclass of cgtk.GANModel")
        return
    from cgtk.engine.reserved import adopt_legacy_summary, explain, reserved_overrides

    adopt_legacy_summary(cls)  # set on the class after it was created
    clashes = reserved_overrides(cls)
    if clashes:
        info.mark_broken(explain(cls, clashes))
        return
    spec = info.spec
    # the spec is the source of metadata a class does not declare itself; values a
    # parent plugin class received from its own spec do not count as declared. The
    # spec's ``summary`` is the class's ``title`` (``summary`` is Keras' method).
    declared = {a: cls.__dict__.get(a) for a in ("title", "data_kind", "default_data")}
    if spec is not None:
        for attr, value in declared.items():
            if value in (None, ""):
                setattr(cls, attr, getattr(spec, _SPEC_FIELD.get(attr, attr)))
    missing = [a for a in REQUIRED_CLASS_ATTRIBUTES if not getattr(cls, a, None)]
    if missing:
        info.mark_broken(f"{cls.__name__} lacks required attribute(s): {', '.join(missing)}")
        return
    from cgtk.config import TrainConfig

    if not (dataclasses.is_dataclass(cls.Config) and issubclass(cls.Config, TrainConfig)):
        info.mark_broken(f"{cls.__name__}.Config must be a dataclass subclassing cgtk.TrainConfig")
        return
    api = getattr(cls, "api_version", API_VERSION)
    if api != API_VERSION:
        info.mark_broken(
            f"written for cgtk plugin API {api}, this cgtk implements API {API_VERSION}")
        return
    if cls.data_kind not in DATA_KINDS:
        info.mark_broken(f"data_kind={cls.data_kind!r} is not one of {', '.join(DATA_KINDS)}")
        return
    if spec is not None:
        for attr in ("data_kind", "title"):
            field_name = _SPEC_FIELD.get(attr, attr)
            if declared[attr] not in (None, "") and declared[attr] != getattr(spec, field_name):
                info.mark_broken(
                    f"the spec says {field_name}={getattr(spec, field_name)!r} but "
                    f"{cls.__name__} says {attr}={getattr(cls, attr)!r}")
                return
    declared = cls.__dict__.get("name")  # inherited names (a parent plugin's) do not count
    if declared and declared != info.name:
        info.mark_broken(f"registered as '{info.name}' but {cls.__name__}.name is '{declared}'")
        return
    cls.name = info.name
    info.cls = cls
    info.summary, info.data_kind = cls.title, cls.data_kind
    info.default_data = getattr(cls, "default_data", None)


def discover() -> list[PluginInfo]:
    """find → load → classify every plugin, cheaply (model classes stay unimported)."""
    infos = find()
    for info in infos:
        if info.ok:
            _load_entry_point(info)
    return infos


def check_all(infos: list[PluginInfo]) -> list[PluginInfo]:
    """Also import every model class (this imports Keras): ``plugins list --check``."""
    for info in infos:
        if info.ok and info.cls is None:
            _load_class_into(info)
    return infos


def _load_class_into(info: PluginInfo) -> None:
    try:
        cls = info.spec.load()
    except Exception as err:  # noqa: BLE001
        info.mark_broken(f"cannot import {info.spec.model}: {_one_line(err)}")
        return
    _check_class(info, cls)


# ------------------------------------------------------------- use by name ---

def get(name: str, infos: list[PluginInfo] | None = None) -> PluginInfo:
    """The plugin called ``name``, loaded and classified; CgtkError if unusable."""
    infos = discover() if infos is None else infos
    matches = [i for i in infos if i.name == name]
    if not matches:
        names = sorted({i.name for i in infos})
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "see 'cgtk plugins list'"
        known = f" (installed: {', '.join(names)})" if names else " (none is installed)"
        raise CgtkError(f"unknown plugin '{name}'{known}", hint=hint)
    info = matches[0]
    if info.ok and info.cls is None:
        _load_class_into(info)
    if not info.ok:
        raise CgtkError(f"plugin '{name}' from {info.dist or 'an unknown distribution'} "
                        f"is broken: {info.error}")
    return info


def load_class(name: str) -> type:
    """The model class of plugin ``name`` (imports Keras)."""
    return get(name).cls
