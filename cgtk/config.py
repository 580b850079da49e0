"""Configuration: a plugin's ``Config`` dataclass, filled from TOML and ``--set``.

Every plugin's ``Config`` subclasses :class:`TrainConfig`, which holds the
training options every run has (epochs, batch size, backend, ...). The
subclass adds the model's own fields and may change any default, so each
model owns its defaults (CycleGAN trains at batch 1 with crops of 256,
SRResNet at batch 16 with crops of 96).

Values are typed from the field's annotation. An unknown key is an error that
lists the valid ones. A float must be finite, and simple ranges are checked
(:data:`RANGES`, learning rates above 0, ``load_size`` at least ``image_size``); every
error is one line naming where the value came from: the flag (``--steps-per-epoch
0``), ``--set KEY=VALUE``, or the ``--config`` file and the key's line. This module
does not import Keras.

>>> from dataclasses import dataclass
>>> @dataclass
... class MyConfig(TrainConfig):
...     ngf: int = option(64, "generator width", fixed=True)
>>> cfg = resolve_config(MyConfig, sets=["ngf=8", "batch_size=4"])
>>> cfg.ngf, cfg.batch_size
(8, 4)
"""
from __future__ import annotations

import dataclasses
import difflib
import math
import re
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cgtk.errors import CgtkError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def option(default: Any, help: str, *, choices: typing.Sequence[str] | None = None,
           fixed: bool = False, paper: str | None = None):
    """A config field with help text.

    Args:
        default: the default value (lists become tuples, so defaults stay immutable).
        help: one line for ``cgtk plugins show``.
        choices: allowed values, checked when the config is resolved.
        fixed: the value shapes the networks, so a resumed run cannot change it.
        paper: where the default comes from, when it is a paper's or reference's.
    """
    if isinstance(default, list):
        default = tuple(default)
    return field(default=default, metadata={
        "help": help, "choices": tuple(choices) if choices else None,
        "fixed": fixed, "paper": paper,
    })


BACKENDS = ("tensorflow", "jax")
STRATEGIES = ("auto", "one", "mirrored", "multiworker")
PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
LR_POLICIES = ("constant", "linear_decay", "linear_decay_end", "step")


@dataclass
class TrainConfig:
    """Training options every plugin has; a plugin's Config subclasses this."""

    epochs: int = option(200, "number of epochs to train")
    steps_per_epoch: int | None = option(
        None, "steps per epoch (none: one full pass over the data)")
    batch_size: int = option(1, "global batch size, over all devices")
    image_size: int = option(256, "training crop size in pixels", fixed=False)
    load_size: int | None = option(
        None, "resize to this size before the random crop (none: no resize)")
    flip: bool = option(True, "random horizontal flips")
    epoch_length: int | None = option(
        None, "examples per epoch (unpaired data: none means max(|A|, |B|))")
    max_bad_fraction: float = option(
        0.01, "fail if more than this fraction of a split cannot be decoded")
    max_pixels: int | None = option(
        40_000_000, "decode cap in pixels (width x height): a larger image is skipped and "
        "counted as unusable, never downscaled (none: no cap)")
    seed: int | None = option(None, "random seed; with a seed, CPU runs repeat bit for bit")
    backend: str = option("tensorflow", "Keras backend", choices=BACKENDS)
    strategy: str = option(
        "auto", "device strategy (auto: all local GPUs if several, else one device)",
        choices=STRATEGIES)
    jit: bool | None = option(
        None, "XLA compilation (none: on for GPU and on JAX, off for TensorFlow on CPU)")
    precision: str = option("float32", "numeric precision policy", choices=PRECISIONS)
    lr_policy: str = option("constant", "learning-rate schedule", choices=LR_POLICIES)
    n_epochs: int | None = option(
        None, "linear_decay: epochs at the initial rate (none: half of epochs)")
    n_epochs_decay: int | None = option(
        None, "linear_decay: epochs of linear decay to zero (none: the rest)")
    lr_step_epochs: int = option(50, "step: multiply the rate by lr_gamma every this many epochs")
    lr_gamma: float = option(0.1, "step: the factor applied every lr_step_epochs")
    checkpoint_every: int = option(1000, "write a checkpoint every N steps (and at each epoch end)")
    keep: int = option(3, "checkpoints to keep")
    log_every: int = option(20, "steps between rows of metrics.csv and TensorBoard scalars")
    num_samples: int = option(4, "held-out inputs shown in each sample grid")

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


# ---------------------------------------------------------------- typing ---

def field_types(cls: type) -> dict[str, Any]:
    """The resolved annotation of every field of a config dataclass."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _optional_inner(tp):
    """``T`` for ``Optional[T]`` / ``T | None``, else None."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0]
    return None


def type_name(tp) -> str:
    """A short readable name for an annotation: ``int``, ``float | none``, ``list[str]``."""
    inner = _optional_inner(tp)
    if inner is not None:
        return f"{type_name(inner)} | none"
    origin = typing.get_origin(tp)
    if origin in (list, tuple):
        args = typing.get_args(tp)
        return f"list[{type_name(args[0])}]" if args else "list"
    return getattr(tp, "__name__", str(tp))


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def coerce(value: Any, tp, key: str) -> Any:
    """Convert ``value`` (a string from ``--set``, or a TOML value) to type ``tp``."""
    inner = _optional_inner(tp)
    if inner is not None:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null", "")):
            return None
        return coerce(value, inner, key)
    origin = typing.get_origin(tp)
    if origin in (list, tuple):
        args = typing.get_args(tp)
        item_tp = args[0] if args else str
        if isinstance(value, str):
            items = [v.strip() for v in value.split(",") if v.strip()]
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            raise CgtkError(f"{key}: expected a list, got {value!r}")
        return tuple(coerce(v, item_tp, key) for v in items)
    if tp is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CgtkError(f"{key}: expected true or false, got {value!r}")
    if tp in (int, float):
        if isinstance(value, bool):
            raise CgtkError(f"{key}: expected {tp.__name__}, got {value!r}")
        try:
            if tp is int:
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError
                return int(value) if not isinstance(value, str) else int(value.strip())
            number = float(value)
        except (TypeError, ValueError):
            raise CgtkError(f"{key}: expected {tp.__name__}, got {value!r}") from None
        if not math.isfinite(number):
            rule = _rule(key)
            raise CgtkError(f"{key}: expected a finite float{' ' + rule if rule else ''}, "
                            f"got {value!r}")
        return number
    if tp is str:
        return str(value)
    return value


# ------------------------------------------------------------- resolution ---

def _unknown_key(key: str, valid: list[str], where: str) -> CgtkError:
    close = difflib.get_close_matches(key, valid, n=1)
    suggestion = f"did you mean '{close[0]}'? " if close else ""
    return CgtkError(
        f"unknown config key '{key}' in {where}; {suggestion}valid keys: {', '.join(valid)}")


def parse_sets(sets: typing.Iterable[str]) -> list[tuple[str, str]]:
    """Split ``--set KEY=VALUE`` strings, keeping their order."""
    pairs = []
    for item in sets:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CgtkError(f"--set {item!r}: expected KEY=VALUE, e.g. --set lambda_cycle=5")
        pairs.append((key.strip().replace("-", "_"), value))
    return pairs


def read_toml(path: Path) -> dict:
    """Read a config file: a flat table of keys (a ``[config]`` table also works)."""
    path = Path(path)
    if not path.is_file():
        raise CgtkError(f"--config {path}: no such file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise CgtkError(f"--config {path}: not valid TOML: {err}") from None
    if set(data) == {"config"} and isinstance(data["config"], dict):
        data = data["config"]
    nested = [k for k, v in data.items() if isinstance(v, dict)]
    if nested:
        raise CgtkError(f"--config {path}: keys must be flat, found table(s) {', '.join(nested)}")
    return data


RANGES: dict[str, tuple[float | None, float | None]] = {
    "epochs": (1, None), "steps_per_epoch": (1, None), "batch_size": (1, None),
    "image_size": (1, None), "load_size": (1, None), "epoch_length": (1, None),
    "keep": (1, None), "log_every": (1, None), "checkpoint_every": (1, None),
    "max_pixels": (1, None), "lr_step_epochs": (1, None), "num_samples": (0, None),
    "n_epochs": (0, None), "n_epochs_decay": (0, None), "max_bad_fraction": (0, 1),
}
"""Inclusive ``(low, high)`` bounds of TrainConfig values (None: unbounded), for any
Config that has the key."""


def _positive(key: str) -> bool:
    """Values that must be above 0: learning rates (``lr``, ``*_lr``) and ``lr_gamma``."""
    return key in ("lr", "lr_gamma") or key.endswith("_lr")


def _rule(key: str) -> str | None:
    """The valid range of ``key`` in words, if it has one: ``at least 1``, ``above 0``."""
    if key in RANGES:
        return _range_text(*RANGES[key])
    return "above 0" if _positive(key) else None


def _range_text(low, high) -> str:
    if low is not None and high is not None:
        return f"between {low:g} and {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


class _Origin(typing.NamedTuple):
    """Where a value came from: ``label`` names it as the user typed it."""

    label: str
    place: str = ""   # for a TOML file: "--config FILE, line N"


def _toml_line(path: Path, key: str) -> int | None:
    """The 1-based line of ``key = ...`` in a TOML file (None if not found)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number, line in enumerate(lines, 1):
        if pattern.match(line):
            return number
    return None


def _origin(where: str, key: str, raw: Any, file: Path | None) -> _Origin:
    if where == "--set":
        return _Origin(f"--set {key}={raw}")
    if where == "flags":
        return _Origin(f"--{key.replace('_', '-')} {raw}")
    if where == "toml":
        line = _toml_line(file, key)
        place = f"--config {file}" + (f", line {line}" if line else "")
        return _Origin(f"{place}: {key} = {raw!r}", place)
    return _Origin(f"{key}={raw!r} (from {where})")


def validate(cfg, origins: dict | None = None) -> None:
    """Check choices and simple ranges; raise CgtkError naming the key.

    ``origins`` (from :func:`resolve_config`) lets the message name the flag, the
    ``--set`` item or the TOML file and line the value came from.
    """
    origins = origins or {}

    def fail(key, rule, text=None):
        value = getattr(cfg, key)
        origin = origins.get(key)
        label = origin.label if origin else f"{key}={value!r}"
        return CgtkError(f"{label}: " + (text or f"{key} must be {rule}, got {value!r}"))

    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        choices = f.metadata.get("choices")
        if choices and value is not None and value not in choices:
            origin = origins.get(f.name)
            raise CgtkError((f"{origin.label}: " if origin else "")
                            + f"{f.name}={value!r} is not one of: {', '.join(map(str, choices))}")
        if value is None or isinstance(value, (bool, str, tuple)):
            continue
        if f.name in RANGES:
            low, high = RANGES[f.name]
            if (low is not None and value < low) or (high is not None and value > high):
                raise fail(f.name, _range_text(low, high))
        elif _positive(f.name) and isinstance(value, (int, float)) and not value > 0:
            raise fail(f.name, "above 0")
    load, crop = getattr(cfg, "load_size", None), getattr(cfg, "image_size", None)
    if load is not None and crop is not None and load < crop:
        key = "load_size" if "load_size" in origins or "image_size" not in origins else "image_size"
        raise fail(key, None, f"load_size={load} is below image_size={crop}: the crop is "
                              f"taken from the image resized to load_size, so load_size must "
                              f"be at least {crop} (or none)")


def resolve_config(cls: type, *, file: Path | None = None, sets: typing.Iterable[str] = (),
                   values: dict | None = None, base: dict | None = None,
                   toml: dict | None = None):
    """Build a Config: defaults < ``base`` < TOML ``file`` < ``values`` < ``--set`` pairs.

    ``values`` are already-typed overrides from dedicated flags (``--epochs``
    and friends); ``base`` is a previous run's config (used by resume). A bad value
    is a CgtkError naming where it came from (flag, ``--set`` item, file and line)
    and the expected type or range. ``toml``: ``file``'s table when the caller has
    already read it (:func:`read_toml`), so a file is read once.
    """
    types_ = field_types(cls)
    valid = list(types_)
    merged: dict[str, Any] = {}
    origins: dict[str, _Origin] = {}
    layers: list[tuple[str, dict]] = []
    if base:
        layers.append(("the run's config.json", base))
    if file is not None:
        layers.append(("toml", toml if toml is not None else read_toml(Path(file))))
    if values:
        layers.append(("flags", {k: v for k, v in values.items() if v is not None}))
    layers.append(("--set", dict(parse_sets(sets))))
    for where, layer in layers:
        for key, value in layer.items():
            origin = _origin(where, key, value, file)
            if key not in types_:
                if where == "toml":
                    raise _unknown_key(key, valid, origin.place)
                raise _unknown_key(key, valid, "flags" if where == "flags" else where)
            try:
                merged[key] = coerce(value, types_[key], key)
            except CgtkError as err:
                prefix = origin.place if where == "toml" else origin.label
                raise CgtkError(f"{prefix}: {err.message}", hint=err.hint) from None
            origins[key] = origin
    cfg = cls(**merged)
    validate(cfg, origins)
    return cfg


def fixed_keys(cls: type) -> list[str]:
    """Fields marked ``fixed``: they shape the networks and cannot change on resume."""
    return [f.name for f in dataclasses.fields(cls) if f.metadata.get("fixed")]


def describe_fields(cls: type) -> list[dict]:
    """Rows for ``cgtk plugins show``: name, type, default, help, choices, paper."""
    types_ = field_types(cls)
    rows = []
    for f in dataclasses.fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else None
        rows.append({
            "name": f.name,
            "type": type_name(types_[f.name]),
            "default": list(default) if isinstance(default, tuple) else default,
            "help": f.metadata.get("help", ""),
            "choices": list(f.metadata["choices"]) if f.metadata.get("choices") else None,
            "fixed": bool(f.metadata.get("fixed")),
            "paper": f.metadata.get("paper"),
            "common": f.name in _TRAIN_FIELDS,
        })
    return rows


_TRAIN_FIELDS = {f.name for f in dataclasses.fields(TrainConfig)}


def value_sources(cls: type, *, file: Path | None = None, sets: typing.Iterable[str] = (),
                  values: dict | None = None, base: dict | None = None,
                  base_sources: dict | None = None,
                  toml: dict | None = None) -> dict[str, str]:
    """Where each resolved value of :func:`resolve_config` came from, with the same
    precedence: ``default`` (``default (PAPER)`` when the field names one), the run's
    earlier source on resume (``base_sources``, else ``resume``), ``toml FILE``,
    ``flag``, ``--set``. The report shows it next to each value.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class C(TrainConfig):
    ...     ngf: int = option(64, "width", paper="Isola et al.")
    >>> s = value_sources(C, sets=["ngf=8"], values={"epochs": 2})
    >>> s["ngf"], s["epochs"], s["batch_size"]
    ('--set', 'flag', 'default')
    """
    sources = {}
    for f in dataclasses.fields(cls):
        paper = f.metadata.get("paper")
        sources[f.name] = f"default ({paper})" if paper else "default"
    for key in base or {}:
        if key in sources:
            sources[key] = (base_sources or {}).get(key, "resume")
    if file is not None:
        for key in (toml if toml is not None else read_toml(Path(file))):
            sources[key] = f"toml {file}"
    for key, value in (values or {}).items():
        if value is not None and key in sources:
            sources[key] = "flag"
    for key, _ in parse_sets(sets):
        sources[key] = "--set"
    return sources
