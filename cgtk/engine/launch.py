"""From ``cgtk train`` arguments to a ready :class:`~cgtk.engine.trainer.Trainer`.

Order matters and is kept here in one place: the backend is chosen before
Keras is imported; seeds, precision policy and the distribution are set
before the networks are built; optimizers are made inside the distribution
scope; a resumed run reloads its checkpoint before the first step.
"""
from __future__ import annotations

import dataclasses
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from cgtk._version import __version__
from cgtk.backend_env import select_backend
from cgtk.errors import CgtkError


@dataclass
class TrainRequest:
    """What the user asked for on the command line."""

    plugin: str | None = None
    data: str | None = None
    run_dir: Path | None = None
    resume: Path | None = None
    config_file: Path | None = None
    sets: list[str] = field(default_factory=list)
    flags: dict = field(default_factory=dict)
    restart: bool = False  # with resume: train the run again from step 0 (--restart)
    init_from: Path | None = None  # a run whose matching networks' weights start this one


@dataclass
class Prepared:
    trainer: object
    run: object
    resumed_from: dict | None
    finished_already: bool
    notes: list[str]


def _read_resume(request: TrainRequest):
    from cgtk.runs import RunDir

    run = RunDir.open(request.resume)
    record = run.read_config()
    saved_plugin = record.get("plugin", {}).get("name")
    if request.plugin and saved_plugin and request.plugin != saved_plugin:
        raise CgtkError(f"{request.resume} is a '{saved_plugin}' run, not '{request.plugin}'",
                        hint="the plugin of a run cannot change on resume")
    return run, record


def _choose_backend(request: TrainRequest, base: dict | None) -> str:
    from cgtk.config import read_toml

    name = request.flags.get("backend")
    sets = dict(s.split("=", 1) for s in request.sets if s.startswith("backend="))
    name = name or sets.get("backend")
    if name is None and request.config_file is not None:
        name = read_toml(Path(request.config_file)).get("backend")
    if name is None and base:
        name = base.get("backend")
    select_backend(name)
    return os.environ["KERAS_BACKEND"]


def _check_resume_changes(cls, base: dict, config, notes: list[str]) -> None:
    from cgtk.config import fixed_keys

    fixed = set(fixed_keys(cls.Config))
    for f in dataclasses.fields(config):
        if f.name not in base:
            continue
        old, new = base[f.name], getattr(config, f.name)
        old = tuple(old) if isinstance(old, list) else old
        if old == new:
            continue
        if f.name in fixed:
            raise CgtkError(f"{f.name} cannot change when resuming ({old!r} in the run, {new!r} asked)",
                            hint="it shapes the networks; start a new run instead")
        notes.append(f"overriding {f.name}: {old!r} -> {new!r}")


def _apply_data_hints(request, source, config, base, notes) -> None:
    """Use a known dataset's reference settings (facades: ``direction=BtoA``) for
    keys the user did not set."""
    from cgtk.config import coerce, field_types, parse_sets, read_toml

    hints = getattr(source, "hints", None) or {}
    if not hints:
        return
    explicit = {k for k, _ in parse_sets(request.sets)} | set(base or {})
    if request.config_file is not None:
        explicit |= set(read_toml(Path(request.config_file)))
    types_ = field_types(type(config))
    for key, value in hints.items():
        if key in types_ and key not in explicit and getattr(config, key) != value:
            setattr(config, key, coerce(value, types_[key], key))
            notes.append(f"{key}={value}: the reference setting for {source.name} "
                         f"(override with --set {key}=...)")


def _value_sources(request, cls, config, base, record, before_hints, source) -> dict:
    """Where each config value came from, for config.json's ``provenance`` (the report)."""
    from cgtk.config import value_sources

    user_flags = {k: v for k, v in request.flags.items() if v is not None}
    sources = value_sources(cls.Config, file=request.config_file, sets=request.sets,
                            values=user_flags, base=base,
                            base_sources=(record or {}).get("provenance"))
    for key, value in config.to_dict().items():
        if before_hints.get(key) != value:
            sources[key] = f"dataset hint ({getattr(source, 'name', 'data')})"
    if sources.get("backend", "").startswith("default") and config.backend != "tensorflow":
        sources["backend"] = "environment (KERAS_BACKEND)"
    return sources


def _versions(backend: str) -> dict:
    import keras

    versions = {"cgtk": __version__, "keras": keras.__version__, "python": platform.python_version()}
    try:
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
    except ImportError:  # pragma: no cover - TensorFlow is a dependency
        pass
    if backend == "jax":
        import jax

        versions["jax"] = jax.__version__
    return versions


def _seed_everything(config) -> None:
    import keras

    if config.seed is None:
        return
    keras.utils.set_random_seed(int(config.seed))
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        try:
            tf.config.experimental.enable_op_determinism()
        except (AttributeError, RuntimeError):  # pragma: no cover - older TF
            pass


def export_inference(trainer) -> None:
    """Write every inference network as a standalone ``.keras`` file (atomically)."""
    from cgtk.runs import writing

    for name, inference in trainer.model.inference_networks().items():
        final = trainer.run.inference_path(name)
        tmp = final.with_name(f".tmp-{os.getpid()}-{final.name}")
        with writing(final, cleanup=[tmp]):  # a failed save leaves the previous file
            inference.network.save(tmp)
            os.replace(tmp, final)


def build_record(info, config, source, dist, jit, model, versions) -> dict:
    """The run's ``config.json``: enough to infer, evaluate and resume with no other flags."""
    inference = {
        name: {"file": f"{name}.keras", "multiple": inf.multiple, "scale": inf.scale,
               "description": inf.description}
        for name, inf in model.inference_networks().items()}
    return {
        "cgtk_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "plugin": {"name": info.name, "version": info.version, "dist": info.dist,
                   "data_kind": info.data_kind},
        "config": config.to_dict(),
        "data": source.describe(),
        "batch_size": config.batch_size,
        "image_size": config.image_size,
        "backend": config.backend,
        "precision": config.precision,
        "seed": config.seed,
        "jit": jit,
        "distribution": dist.describe(),
        "inference": inference,
        "versions": versions,
        "command": " ".join(["cgtk", *sys.argv[1:]]) if sys.argv else "",
    }


def _restore_or_refuse(checkpoints, model, run, notes: list[str]) -> dict:
    """The newest readable checkpoint's meta, loaded into ``model``. No usable checkpoint
    is an error naming the damaged files: resuming must never quietly start from zero
    (and overwrite a trained run's .keras files)."""
    skipped: list = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta = checkpoints.restore_latest(model, skipped=skipped)
    if meta is not None:
        notes.extend(str(w.message) for w in caught)
        return meta
    how = (f"start afresh with a new --run-dir, or add --restart to train {run.path} again "
           "from step 0 (its current files are moved to a before-restart-* folder, not "
           "deleted)")
    if skipped:
        damaged = ", ".join(str(e.file or e) for e in skipped)
        first = " ".join(str(skipped[0]).split())[:160]
        raise CgtkError(f"--resume {run.path}: no usable checkpoint: every one is damaged "
                        f"({damaged}; e.g. {first}); nothing was changed", hint=how)
    raise CgtkError(f"--resume {run.path}: no checkpoint to resume from in "
                    f"{checkpoints.root} (the run stopped before its first one); nothing "
                    "was changed", hint=how)


def prepare(request: TrainRequest, *, console=None, callbacks=None) -> Prepared:
    """Resolve everything ``cgtk train`` needs and build the trainer.

    The run directory's lock (:mod:`cgtk.runs.lock`) is taken here and held by the
    returned ``Prepared.run`` until ``run.unlock()`` or the end of the process; it is
    released if preparing fails.
    """
    held: list = []
    try:
        return _prepare(request, console, callbacks, held)
    except BaseException:
        for run in held:
            run.unlock()
        raise


def _prepare(request: TrainRequest, console, callbacks, held: list) -> Prepared:
    run = record = base = None
    notes: list[str] = []
    if request.resume is not None:
        run, record = _read_resume(request)
        base = record.get("config", {})
        request.plugin = request.plugin or record["plugin"]["name"]
    elif request.restart:
        raise CgtkError("--restart needs --resume RUN_DIR",
                        hint="cgtk train --resume RUN_DIR --restart trains that run again "
                        "from step 0")
    elif request.run_dir is not None:
        from cgtk.runs import check_new_run_dir, is_run_dir

        if not is_run_dir(request.run_dir):  # an existing run is refused when it is locked
            check_new_run_dir(request.run_dir)  # fail in a second, before any import
    if not request.plugin:
        raise CgtkError("which plugin? e.g. 'cgtk train cyclegan --data demo'",
                        hint="see 'cgtk plugins list'")
    backend = _choose_backend(request, base)

    from cgtk import data as cgtk_data
    from cgtk import registry
    from cgtk.config import resolve_config

    # Resolve the data from the keras-free spec first: a missing folder or an offline
    # download fails in a second, before TensorFlow is imported.
    infos = registry.discover()
    listed = next((i for i in infos if i.name == request.plugin and i.ok), None)
    source = None
    if listed is not None and (request.data is not None or record is None):
        source = cgtk_data.resolve_source(request.data, listed.data_kind, listed.default_data)
    info = registry.get(request.plugin, infos)
    cls = info.cls
    flags = {k: v for k, v in request.flags.items() if v is not None}
    flags["backend"] = backend
    config = resolve_config(cls.Config, file=request.config_file, sets=request.sets,
                            values=flags, base=base)
    if base is not None:
        _check_resume_changes(cls, base, config, notes)

    import keras

    from cgtk.engine import backend as engine_backend
    from cgtk.engine import distribute
    from cgtk.engine.trainer import Trainer
    from cgtk.runs import CheckpointManager, RunDir, default_run_dir

    _seed_everything(config)
    keras.config.set_dtype_policy(config.precision)
    dist = distribute.setup(config.strategy)
    from cgtk.cpu_features import warn_bf16_once

    warn_bf16_once(config.precision, notes.append, what="training", device=dist.platform)
    if run is not None and dist.is_chief:  # --resume: only one process may write the run
        held.append(run)
        run.lock()
    jit = config.jit if config.jit is not None else distribute.default_jit(dist)
    if config.batch_size % dist.num_replicas:
        raise CgtkError(f"--batch-size {config.batch_size} is not divisible by the "
                        f"{dist.num_replicas} devices of --strategy {dist.kind}")

    if request.data is not None or record is None:
        if source is None:
            source = cgtk_data.resolve_source(request.data, cls.data_kind, cls.default_data)
        if record is not None:
            notes.append(f"overriding the data: {record.get('data')} -> {source.describe()}")
    else:
        source = cgtk_data.DataSource.from_description(record["data"])
    before_hints = config.to_dict()
    _apply_data_hints(request, source, config, base, notes)
    sources = _value_sources(request, cls, config, base, record, before_hints, source)
    train_data = cgtk_data.load_train_data(source, config)
    if train_data.skipped and console is not None:
        console.print(f"[yellow]skipped {len(train_data.skipped)} unusable file(s)[/], e.g. "
                      f"{train_data.skipped[0][0]}: {train_data.skipped[0][1]}")
    steps_per_epoch = config.steps_per_epoch or train_data.steps_per_epoch(config.batch_size)

    with dist.scope():
        model = cls(config)
        model.setup_data(train_data.extras)
        model.compile_phases(steps_per_epoch)
        if request.init_from is not None:
            from cgtk.runs.init_from import init_from_run

            if request.resume is not None:
                raise CgtkError("--init-from starts a new run; it cannot go with --resume")
            notes.extend(init_from_run(model, request.init_from))

    if run is None:
        run = RunDir.create(request.run_dir or default_run_dir(info.name),
                            exist_ok=not dist.is_chief, lock=dist.is_chief)
        held.append(run)
    checkpoints = CheckpointManager(run.checkpoints_dir, keep=config.keep)
    meta = None
    if request.resume is not None and request.restart:
        if dist.is_chief:
            aside = run.set_aside()
            notes.append(f"--restart: training from step 0; the run's previous files are "
                         f"in {aside}")
    elif request.resume is not None:
        # before anything is written: a refused resume leaves the run as it was
        meta = _restore_or_refuse(checkpoints, model, run, notes)
    record_out = build_record(info, config, source, dist, jit, model, _versions(backend))
    record_out["provenance"] = sources
    if dist.is_chief:
        run.write_config(record_out)

    stepper = engine_backend.current().Stepper(model, dist.strategy, jit)
    sample_batch = cgtk_data.sample_inputs(source, config, config.num_samples)
    trainer = Trainer(model=model, data=train_data, run=run, config=config, stepper=stepper,
                      checkpoints=checkpoints, sample_batch=sample_batch, console=console,
                      is_chief=dist.is_chief, export=export_inference)
    trainer.distribution = dist
    trainer.jit = jit
    trainer.source = source

    resumed_from = None
    if meta is not None:
        trainer.restore(meta)
        resumed_from = meta
    if callbacks is None:
        from cgtk.callbacks import default_callbacks

        callbacks = default_callbacks(trainer) if dist.is_chief else []
    trainer.callbacks = list(callbacks)
    if resumed_from is not None:
        for cb in trainer.callbacks:
            if hasattr(cb, "truncate_after"):
                cb.truncate_after(trainer.global_step)
    finished = trainer.global_step >= trainer.total_steps
    return Prepared(trainer, run, resumed_from, finished, notes)
