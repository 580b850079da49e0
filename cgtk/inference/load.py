"""Safe loading of inference networks from a run directory or a ``.keras`` file.

cgtk loads models only with ``keras.saving.load_model(path, safe_mode=True)`` from
``.keras`` archives: never from legacy ``.h5``/``.hdf5``, TF ``.pb`` graphs or pickles,
and never with ``safe_mode=False``. A ``.keras`` file whose config holds code (a
``Lambda`` layer, or any other function Keras would have to deserialise) is refused
with a :class:`~cgtk.errors.CgtkError` before anything in it runs.

Custom layers must be registered before loading: :func:`load_source` imports
``cgtk.nn`` and, for a run directory, the plugin's model module (through
:func:`cgtk.registry.get`); for a bare ``.keras`` file an unknown-class error makes it
import every installed plugin's model class once and retry.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "net.h5"; _ = p.write_bytes(b"x")
>>> try:
...     check_model_file(p)
... except Exception as err:
...     print(str(err).split(":")[1].strip()[:34])
refusing to load a legacy .h5 file
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from cgtk.errors import CgtkError
from cgtk.runs.record import InferenceSpec, RunRecord

#: Model formats cgtk refuses to load, and why.
REFUSED_SUFFIXES = {
    ".h5": "a legacy .h5 file", ".hdf5": "a legacy .h5 file",
    ".pb": "a TensorFlow graph (.pb)", ".pkl": "a pickle", ".pickle": "a pickle",
    ".pt": "a PyTorch file", ".pth": "a PyTorch file", ".ckpt": "a checkpoint",
    ".tflite": "a LiteRT file", ".onnx": "an ONNX file",
}

_UNSAFE = re.compile(r"safe_mode|lambda|unsafe|arbitrary code|deserializ\w* of (a|an) "
                     r"`?function", re.I)
_UNKNOWN = re.compile(r"could not locate (class|function)|unknown (layer|object|class)|"
                      r"not found in the registered|was not found", re.I)


@dataclass
class Source:
    """What ``cgtk infer|eval|export SOURCE`` reads.

    Attributes:
        path: the run directory or ``.keras`` file.
        kind: ``"run"`` or ``"model"``.
        record: the run's :class:`~cgtk.runs.record.RunRecord` (``None`` for a bare model).
        entries: inference networks by name (:class:`~cgtk.runs.record.InferenceSpec`),
            in order (the first is the default); :meth:`path_of` is where each one lies.
        notes: things worth telling the user (e.g. a plugin that could not be imported).
    """

    path: Path
    kind: str
    record: RunRecord | None = None
    entries: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    @property
    def plugin(self) -> str | None:
        return self.record.plugin.name if self.record is not None else None

    @property
    def data_kind(self) -> str | None:
        return self.record.plugin.data_kind if self.record is not None else None

    @property
    def folder(self) -> Path:
        """The folder the entries' files are in (the run, or the model file's folder)."""
        return self.path if self.kind == "run" else self.path.parent

    def path_of(self, entry: InferenceSpec) -> Path:
        """The ``.keras`` file of ``entry``."""
        return entry.path_in(self.folder)

    def entry(self, direction: str | None = None) -> InferenceSpec:
        """The entry named ``direction`` (default: the first); CgtkError if absent."""
        if not self.entries:
            raise CgtkError(f"{self.path}: no inference network recorded")
        if direction is None:
            return next(iter(self.entries.values()))
        if direction not in self.entries:
            names = ", ".join(self.entries)
            raise CgtkError(f"--direction {direction}: {self.path} has no such network",
                            hint=f"choose one of: {names}")
        return self.entries[direction]


def check_model_file(path: Path) -> Path:
    """Refuse anything but a ``.keras`` zip archive, with a one-line reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        if (path / "saved_model.pb").exists():
            raise CgtkError(f"{path}: refusing to load a TF SavedModel as a Keras model",
                            hint="pass a run directory or a .keras inference model")
        raise CgtkError(f"{path}: not a cgtk run directory (no config.json) and not a "
                        ".keras file")
    if suffix in REFUSED_SUFFIXES:
        raise CgtkError(f"{path}: refusing to load {REFUSED_SUFFIXES[suffix]}: cgtk loads "
                        "models only from .keras files (safe_mode)",
                        hint="re-save the model with model.save('net.keras') in a trusted "
                        "environment")
    if suffix != ".keras":
        raise CgtkError(f"{path}: not a .keras file", hint="pass a run directory or a "
                        ".keras inference model")
    if not path.is_file():
        raise CgtkError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise CgtkError(f"{path}: not a valid .keras archive (not a zip file)")
    return path


def _foreign_names(path: Path) -> list[str]:
    """``module.name`` of every function, and every class from a standard-library module,
    that the model's config names outside Keras and what is registered (e.g.
    ``os.system``): not a plugin's layer, so installing a plugin would not help."""
    import json
    import sys

    import keras

    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return []
    registered = set(keras.saving.get_custom_objects())
    found: list[str] = []

    def visit(node):
        if isinstance(node, dict):
            module = node.get("module")
            if isinstance(module, str) and "class_name" in node:
                top = module.split(".")[0]
                is_function = node["class_name"] == "function"
                name = node.get("config") if is_function else node["class_name"]
                if (top != "keras" and node.get("registered_name") not in registered
                        and (is_function or top in sys.stdlib_module_names)):
                    found.append(f"{module}.{name}")
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(config)
    return found


def _import_all_plugins() -> None:
    from cgtk import registry

    registry.check_all(registry.discover())


def load_keras_model(path: Path, *, retry_plugins: bool = True):
    """``keras.saving.load_model(path, safe_mode=True, compile=False)``, errors translated.

    Unsafe content (Lambda layers, serialised functions) -> CgtkError, nothing runs.
    An unknown class -> import every installed plugin's model once and retry.
    """
    path = check_model_file(path)
    import keras

    import cgtk.nn  # noqa: F401 - registers cgtk's own layers

    try:
        return keras.saving.load_model(str(path), compile=False, safe_mode=True)
    except Exception as err:  # noqa: BLE001 - Keras raises ValueError/TypeError/...
        full = " ".join(str(err).split())
        text = full[:240]
        if _UNSAFE.search(full):
            raise CgtkError(f"{path}: refused: the model contains code that loading would "
                            "run (a Lambda layer or a serialised function); cgtk loads "
                            "models with safe_mode=True only",
                            hint="rebuild the network without Lambda layers (use registered "
                            "custom layers) and re-save it") from None
        if _UNKNOWN.search(full) and retry_plugins:
            _import_all_plugins()
            return load_keras_model(path, retry_plugins=False)
        foreign = _foreign_names(path)
        if foreign:
            raise CgtkError(f"{path}: refused: its config names {foreign[0]}, a function "
                            "outside the allowed set (Keras built-ins and the layers cgtk "
                            "and installed plugins register); nothing in it was run",
                            hint="load only models that cgtk or a trusted plugin "
                            "saved") from None
        if _UNKNOWN.search(full) or "could not be deserialized" in full:
            raise CgtkError(f"{path}: uses a layer class no installed plugin registers "
                            f"({text})", hint="install the plugin that trained it "
                            "('cgtk plugins list')") from None
        raise CgtkError(f"{path}: cannot load the model: {text}") from None


def open_source(path) -> Source:
    """Read a run directory's ``config.json`` or accept a ``.keras`` file; loads no model."""
    path = Path(path).expanduser()
    if not path.exists():
        raise CgtkError(f"{path}: no such run directory or .keras file")
    if path.is_dir() and (path / "config.json").is_file():
        from cgtk.runs import RunDir

        record = RunDir(path).read_record()
        for spec in record.inference.values():
            spec.path_in(path)  # refuse a record pointing outside the run, before loading
        if not record.inference:
            raise CgtkError(f"{path}/config.json lists no inference network",
                            hint="was the run written by an older cgtk? re-run 'cgtk train "
                            "--resume' to write it")
        return Source(path=path, kind="run", record=record, entries=dict(record.inference))
    check_model_file(path)
    return Source(path=path, kind="model",
                  entries={path.stem: InferenceSpec(path.stem, path.name)})


def _import_plugin(source: Source) -> None:
    if not source.plugin:
        return
    from cgtk import registry

    try:
        registry.get(source.plugin)
    except CgtkError as err:
        source.notes.append(f"plugin '{source.plugin}' is unavailable ({err}); trying to "
                            "load the network with the layers that are installed")


def probe_scale(model, multiple: int) -> int:
    """Output size / input size of ``model`` on a small input (1 if it cannot tell)."""
    import numpy as np

    side = max(1, int(multiple)) * max(1, -(-16 // max(1, int(multiple))))
    x = np.zeros((1, side, side, int(model.inputs[0].shape[-1] or 3)), "float32")
    try:
        y = np.asarray(model(x, training=False))
    except Exception:  # noqa: BLE001 - a probe only
        return 1
    return max(1, int(round(y.shape[1] / side)))


def load_network(source: Source, direction: str | None = None):
    """``(InferenceSpec, keras.Model)`` for ``direction`` (default: the source's first
    network).

    For a bare ``.keras`` file the entry's ``multiple`` is the product of the strides
    (:func:`cgtk.nn.required_multiple`) and ``scale`` is measured on a small input.
    """
    entry = source.entry(direction)
    file = source.path_of(entry)
    if source.kind == "run":
        _import_plugin(source)
        if not file.is_file():
            raise CgtkError(f"{file}: missing (the run lists it in config.json)",
                            hint="the run may not have finished an epoch yet")
    model = load_keras_model(file)
    if source.kind == "model":
        from cgtk.nn import required_multiple

        entry.multiple = max(1, int(required_multiple(model)))
        entry.scale = probe_scale(model, entry.multiple)
        entry.description = entry.description or model.name
    return entry, model
