"""``cgtk.import_weights``: reference weights file(s) -> an ordinary cgtk run directory."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from cgtk.errors import CgtkError
from cgtk.importing.reader import WeightsFile, read_weights
from cgtk.runs.record import RunRecord


@dataclass
class ImportResult:
    """``record``: the :class:`~cgtk.runs.record.RunRecord` written to config.json (its
    ``imported`` lists each file read); ``networks``: the inference networks filled."""

    run_dir: Path
    record: RunRecord
    networks: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def _check_run_dir(run_dir: Path, force: bool) -> None:
    if run_dir.exists() and not run_dir.is_dir():
        raise CgtkError(f"--run-dir {run_dir} is a file, not a folder")
    if run_dir.exists() and any(run_dir.iterdir()) and not force:
        raise CgtkError(f"--run-dir {run_dir} already exists",
                        hint="add --force to replace it, or choose another --run-dir")


def _recognise(plugin: str, importers, weights: WeightsFile):
    for importer in importers:
        options = importer.options(weights.tensors)
        if options is not None:
            return importer, options
    from cgtk.importing import junyanz

    first, value = next(iter(weights.tensors.items()))
    expected = "; ".join(i.name for i in importers)
    looks = junyanz.guess(weights.tensors)
    looks = f"; it looks like {looks} (junyanz)" if looks else ""
    raise CgtkError(f"{weights.path}: not a file '{plugin}' can import (expected {expected}; "
                    f"first key {first} {tuple(value.shape)}){looks}",
                    hint="see docs/import.md for the supported files")


def _merge_options(files, found) -> dict:
    merged: dict = {}
    for weights, (_importer, options) in zip(files, found):
        for key, value in options.items():
            if key in merged and merged[key] != value:
                raise CgtkError(f"{weights.path}: {key}={value!r}, but {files[0].path.name} "
                                f"has {key}={merged[key]!r}",
                                hint="import files of one architecture together")
            merged[key] = value
    return merged


def _check_sets(cls, sets, inferred: dict, files) -> None:
    from cgtk.config import coerce, field_types, parse_sets

    types_ = field_types(cls.Config)
    for key, raw in parse_sets(sets):
        if key in inferred and key in types_:
            value = coerce(raw, types_[key], key)
            if value != inferred[key]:
                raise CgtkError(f"--set {key}={raw} contradicts {files[0].path}: the file "
                                f"has {key}={inferred[key]!r}",
                                hint=f"drop --set {key} (it is read from the file)")


def _targets(names: list[str], files, found, network: str | None) -> list[str]:
    if network is not None:
        if network not in names:
            raise CgtkError(f"--network {network}: no such inference network",
                            hint=f"choose one of: {', '.join(names)}")
        if len(files) != 1:
            raise CgtkError("--network needs exactly one FILE")
        return [network]
    if len(files) > len(names):
        raise CgtkError(f"{len(files)} files given, but the plugin has {len(names)} "
                        f"inference network(s): {', '.join(names)}")
    targets = names[: len(files)]
    for (importer, _), name, weights in zip(found, targets, files):
        if importer.networks and name not in importer.networks:
            raise CgtkError(f"{weights.path}: a {importer.name} file cannot fill the "
                            f"'{name}' network", hint=f"use --network "
                            f"{importer.networks[0]}")
    return targets


def _replace_dir(tmp: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".old-{os.getpid()}-{final.name}")
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@dataclass
class Loaded:
    """A plugin model whose inference network(s) hold the file's weights (not saved)."""

    info: object
    config: object
    model: object
    networks: dict
    imported: list
    notes: list


def load_reference(plugin: str, files, *, sets=(), network: str | None = None,
                   backend: str | None = None) -> Loaded:
    """Read ``files``, build ``plugin``'s model with the options they imply and put their
    tensors on its inference network(s); nothing is written. See :func:`import_weights`."""
    from cgtk.backend_env import select_backend

    files = [files] if isinstance(files, (str, os.PathLike)) else list(files)
    if not files:
        raise CgtkError("no weights file given")
    weights = [read_weights(f) for f in files]  # keras-free, fails fast
    select_backend(backend)

    from cgtk import registry
    from cgtk.config import resolve_config
    from cgtk.importing.assign import load_into
    from cgtk.importing.spec import importers_of

    info = registry.get(plugin)
    cls = info.cls
    importers = importers_of(cls)
    if not importers:
        raise CgtkError(f"plugin '{plugin}' declares no reference weights it can import",
                        hint="see docs/import.md: a plugin adds reference_weights()")
    found = [_recognise(plugin, importers, w) for w in weights]
    inferred = _merge_options(weights, found)
    _check_sets(cls, sets, inferred, weights)
    config = resolve_config(cls.Config, values={**inferred,
                                                "backend": os.environ["KERAS_BACKEND"]},
                            sets=sets)
    model = cls(config)
    inference = model.inference_networks()
    targets = _targets(list(inference), weights, found, network)

    imported, notes = [], []
    for w, (importer, options), name in zip(weights, found, targets):
        net = inference[name].network
        slots = importer.slots(net, config, w.tensors)
        mapping = load_into(net, w.tensors, slots, where=str(w.path), ignore=importer.ignore)
        ignored = [k for k in w.tensors if k not in mapping]
        imported.append({**w.describe(), "network": name, "architecture": importer.name,
                         "published_by": importer.source, "inferred": options,
                         "ignored_keys": ignored, "mapping": mapping})
        if importer.notes is not None:
            notes.extend(importer.notes(config))
    return Loaded(info=info, config=config, model=model,
                  networks={name: inference[name] for name in targets}, imported=imported,
                  notes=notes)


def import_weights(plugin: str, files, run_dir, *, sets=(), force: bool = False,
                   network: str | None = None, backend: str | None = None) -> ImportResult:
    """Import reference weights into a new run directory; see :mod:`cgtk.importing`.

    Args:
        plugin: the plugin name (``cyclegan``, ``pix2pix``, ``style``, ``srresnet``, ...).
        files: one path, or several (one per inference network, in the plugin's order).
        run_dir: the run directory to create (refused if it exists, unless ``force``).
        sets: ``["KEY=VALUE", ...]`` for options the file cannot tell; one that
            contradicts the file is an error.
        network: the inference network a single file fills (default: the first).
        backend: the Keras backend (default: ``KERAS_BACKEND`` or tensorflow).

    Returns an :class:`ImportResult`; its ``record`` is the run's ``config.json`` (a
    :class:`~cgtk.runs.record.RunRecord`), whose ``imported`` list names each file, its
    sha256, format and the key mapping used.
    """
    run_dir = Path(run_dir).expanduser()
    _check_run_dir(run_dir, force)
    loaded = load_reference(plugin, files, sets=sets, network=network, backend=backend)
    record = _write_run(run_dir, force, loaded.info, loaded.config, loaded.networks,
                        loaded.imported)
    return ImportResult(run_dir=run_dir, record=record, networks=list(loaded.networks),
                        notes=loaded.notes)


def _write_run(run_dir: Path, force: bool, info, config, chosen: dict,
               imported: list) -> RunRecord:
    """Write config.json and the .keras files into a temporary sibling, then move it
    into place: an error leaves nothing half-written."""
    from cgtk.engine.builder import export_inference, versions
    from cgtk.runs import RunDir

    run_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = run_dir.with_name(f".tmp-import-{os.getpid()}-{run_dir.name}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        run = RunDir.create(tmp)
        facade = SimpleNamespace(inference_networks=lambda: chosen)
        record = RunRecord.for_training(
            info=info, config=config, source=None, jit=None,
            distribution={"kind": "none", "replicas": 1, "processes": 1, "platform": "cpu"},
            inference_networks=chosen, versions=versions())
        record.imported = imported
        run.write_record(record)
        export_inference(SimpleNamespace(model=facade, run=run))
        if run_dir.exists() and not force and any(run_dir.iterdir()):
            raise CgtkError(f"--run-dir {run_dir} appeared while importing",
                            hint="add --force to replace it")
        _replace_dir(tmp, run_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return record
