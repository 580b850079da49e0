"""Configuration: a plugin's ``Config`` dataclass, filled from TOML and ``--set``.

Every plugin's ``Config`` subclasses :class:`TrainConfig`, which holds the
training options every run has (epochs, batch size, backend, ...). The
subclass adds the model's own fields and may change any default, so each
model owns its defaults (CycleGAN trains at batch 1 with crops of 256,
SRResNet at batch 16 with crops of 96).

Values are typed from the field's annotation. An unknown key is an error that
lists the valid ones. This module does not import Keras.

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
LR_POLICIES = ("constant", "linear_decay", "step")


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
            return float(value)
        except (TypeError, ValueError):
            raise CgtkError(f"{key}: expected {tp.__name__}, got {value!r}") from None
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


def validate(cfg) -> None:
    """Check choices and simple ranges; raise CgtkError naming the key."""
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        choices = f.metadata.get("choices")
        if choices and value is not None and value not in choices:
            raise CgtkError(f"{f.name}={value!r} is not one of: {', '.join(map(str, choices))}")
    for key in ("epochs", "batch_size", "image_size", "keep", "log_every"):
        if hasattr(cfg, key) and getattr(cfg, key) is not None and getattr(cfg, key) < 1:
            raise CgtkError(f"{key} must be at least 1, got {getattr(cfg, key)}")


def resolve_config(cls: type, *, file: Path | None = None, sets: typing.Iterable[str] = (),
                   values: dict | None = None, base: dict | None = None):
    """Build a Config: defaults < ``base`` < TOML ``file`` < ``values`` < ``--set`` pairs.

    ``values`` are already-typed overrides from dedicated flags (``--epochs``
    and friends); ``base`` is a previous run's config (used by resume).
    """
    types_ = field_types(cls)
    valid = list(types_)
    merged: dict[str, Any] = {}
    layers: list[tuple[str, dict]] = []
    if base:
        layers.append(("the run's config.json", base))
    if file is not None:
        layers.append((f"--config {file}", read_toml(Path(file))))
    if values:
        layers.append(("flags", {k: v for k, v in values.items() if v is not None}))
    layers.append(("--set", dict(parse_sets(sets))))
    for where, layer in layers:
        for key, value in layer.items():
            if key not in types_:
                raise _unknown_key(key, valid, where)
            merged[key] = coerce(value, types_[key], key)
    cfg = cls(**merged)
    validate(cfg)
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
