"""How a plugin declares the reference weights it can import (keras-free).

A plugin lists :class:`WeightImporter` objects, either as a ``reference_weights()``
classmethod of its model class, or as a function ``reference_weights(model_cls)`` in a
module ``reference_weights`` of the model's package (``cgtk_cyclegan.reference_weights``).
The first importer whose :attr:`~WeightImporter.options` recognises the file is used.

>>> imp = WeightImporter(name="demo", source="nowhere",
...                      options=lambda t: {"ngf": 8} if "conv.weight" in t else None,
...                      slots=lambda network, config, tensors: [])
>>> imp.options({"conv.weight": None}), imp.options({})
({'ngf': 8}, None)
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from cgtk.importing.assign import default_ignore


@dataclass(frozen=True)
class WeightImporter:
    """One reference architecture a plugin can import.

    Attributes:
        name: what the file is, e.g. ``"junyanz ResnetGenerator"``.
        source: where such files are published (shown in errors and docs).
        options: ``tensors -> {config key: value}`` read off the file's keys and shapes
            (plus any option the architecture needs, e.g. ``upsample="nearest"``), or
            None when the file is not this architecture.
        slots: ``(network, config, tensors) -> [Slot]``: which file keys go onto which
            layers of the built inference network (see :func:`cgtk.importing.zip_slots`).
        networks: the inference networks such a file can fill (empty: any).
        ignore: file keys that carry no weights (default: ``*.num_batches_tracked``).
        notes: ``config -> [str]`` things to tell the user after the import.
    """

    name: str
    source: str
    options: Callable[[dict], dict | None]
    slots: Callable
    networks: tuple = ()
    ignore: Callable[[str], bool] = default_ignore
    notes: Callable | None = field(default=None)


def importers_of(model_cls) -> list[WeightImporter]:
    """The importers a plugin's model class declares (``[]`` if none)."""
    declared = getattr(model_cls, "reference_weights", None)
    if callable(declared):
        return list(declared())
    package = model_cls.__module__.rpartition(".")[0] or model_cls.__module__
    try:
        module = importlib.import_module(f"{package}.reference_weights")
    except ModuleNotFoundError as err:
        if err.name != f"{package}.reference_weights":
            raise
        return []
    return list(module.reference_weights(model_cls))
