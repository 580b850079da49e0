"""The one way a plugin's model is built: ``resolve(request) -> RunSpec``,
``build(spec) -> Trainer``, and beneath both ``build_model``.

* :func:`resolve` decides everything without touching Keras' global state or a
  device: the backend (chosen before Keras is imported), the plugin class, the typed
  config (defaults < resumed run < TOML < flags < ``--set`` < dataset hints, merged
  once, with the provenance of each value), the data source and, on ``--resume``, the
  run and its record. A missing folder, an offline download or a bad value fails here,
  in a second, before TensorFlow starts.
* :func:`build_model` is the sequence every caller shares: precision policy ->
  model inside the distribution scope -> ``setup_data`` -> ``compile_phases`` -> the
  backend's ``Stepper``. ``cgtk train`` (through :func:`build`), ``cgtk bench`` and
  :func:`cgtk.testing.check_plugin` all call it, so a change to how a model is built
  is made here once.
* :func:`build` turns a spec into a ready :class:`~cgtk.engine.trainer.Trainer`:
  seeds, distribution, data, :func:`build_model`, ``--init-from``, the run directory
  (locked), the checkpoint to resume from, and ``config.json``. The trainer gets
  every piece in its constructor.

>>> spec = resolve(TrainRequest(plugin="pix2pix", data="demo", sets=["ngf=8"]))  # doctest: +SKIP
>>> spec.config.ngf, spec.provenance["ngf"]                                       # doctest: +SKIP
(8, '--set')
>>> trainer = build(spec)                                                         # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import os
import platform
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from cgtk._version import __version__
from cgtk.backend_env import select_backend
from cgtk.errors import CgtkError


@dataclass
class TrainRequest:
    """What the user asked ``cgtk train`` for (flags as given; None = not given)."""

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
class RunSpec:
    """Everything :func:`build` needs, resolved from a :class:`TrainRequest`.

    Attributes:
        info: the plugin (:class:`cgtk.registry.PluginInfo`); ``cls`` is its model class.
        config: the typed config, every value final.
        provenance: where each config value came from (``--set``, ``toml FILE``, ...).
        source: the data (:class:`cgtk.data.DataSource`).
        backend: the Keras backend (already selected).
        run_dir: where a new run goes (None: ``runs/PLUGIN-TIME``).
        resume: the run being resumed (a locked-on-build :class:`cgtk.runs.RunDir`).
        record: that run's :class:`~cgtk.runs.record.RunRecord`.
        restart, init_from: ``--restart`` and ``--init-from``.
        notes: what the user should be told (overrides, dataset hints, warnings); the
            build adds its own.
    """

    info: object
    config: object
    provenance: dict
    source: object
    backend: str
    run_dir: Path | None = None
    resume: object = None
    record: object = None
    restart: bool = False
    init_from: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def cls(self):
        return self.info.cls


# ------------------------------------------------------------------ resolve ---

def _read_resume(request: TrainRequest):
    from cgtk.runs import RunDir

    run = RunDir.open(request.resume)
    record = run.read_record()
    saved_plugin = record.plugin.name
    if request.plugin and saved_plugin and request.plugin != saved_plugin:
        raise CgtkError(f"{request.resume} is a '{saved_plugin}' run, not '{request.plugin}'",
                        hint="the plugin of a run cannot change on resume")
    return run, record


def _choose_backend(request: TrainRequest, toml: dict, base: dict | None) -> str:
    name = request.flags.get("backend")
    sets = dict(s.split("=", 1) for s in request.sets if s.startswith("backend="))
    name = name or sets.get("backend") or toml.get("backend")
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


def _apply_data_hints(request, toml: dict, source, config, base, notes) -> dict:
    """A known dataset's reference settings (facades: ``direction=BtoA``) for the keys
    the user did not set; returns the keys changed."""
    from cgtk.config import coerce, field_types, parse_sets

    hints = getattr(source, "hints", None) or {}
    explicit = {k for k, _ in parse_sets(request.sets)} | set(base or {}) | set(toml)
    types_ = field_types(type(config))
    changed = {}
    for key, value in hints.items():
        if key in types_ and key not in explicit and getattr(config, key) != value:
            setattr(config, key, coerce(value, types_[key], key))
            changed[key] = value
            notes.append(f"{key}={value}: the reference setting for {source.name} "
                         f"(override with --set {key}=...)")
    return changed


def resolve(request: TrainRequest) -> RunSpec:
    """Decide everything about a training run; build nothing.

    Imports the plugin (and so Keras, on the backend chosen here) but sets no seed,
    precision policy or distribution and touches no device.
    """
    from cgtk.config import read_toml, resolve_config, value_sources

    run = record = base = None
    notes: list[str] = []
    if request.init_from is not None and request.resume is not None:
        raise CgtkError("--init-from starts a new run; it cannot go with --resume")
    if request.resume is not None:
        run, record = _read_resume(request)
        base = dict(record.config)
        request = dataclasses.replace(request, plugin=request.plugin or record.plugin.name)
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
    toml = read_toml(Path(request.config_file)) if request.config_file is not None else {}
    backend = _choose_backend(request, toml, base)

    from cgtk import data as cgtk_data
    from cgtk import registry

    # The data from the keras-free spec first: a missing folder or an offline download
    # fails in a second, before the plugin (and TensorFlow) is imported.
    infos = registry.discover()
    listed = next((i for i in infos if i.name == request.plugin and i.ok), None)
    fresh_data = request.data is not None or record is None
    source = None
    if listed is not None and fresh_data:
        source = cgtk_data.resolve_source(request.data, listed.data_kind, listed.default_data)
    info = registry.get(request.plugin, infos)
    cls = info.cls
    flags = {k: v for k, v in request.flags.items() if v is not None}
    flags["backend"] = backend
    config = resolve_config(cls.Config, file=request.config_file, sets=request.sets,
                            values=flags, base=base, toml=toml)
    if base is not None:
        _check_resume_changes(cls, base, config, notes)
    if fresh_data:
        if source is None:
            source = cgtk_data.resolve_source(request.data, cls.data_kind, cls.default_data)
        if record is not None:
            notes.append(f"overriding the data: {record.data} -> {source.describe()}")
    else:
        source = cgtk_data.DataSource.from_description(record.data)
    hinted = _apply_data_hints(request, toml, source, config, base, notes)

    user_flags = {k: v for k, v in request.flags.items() if v is not None}
    provenance = value_sources(cls.Config, file=request.config_file, sets=request.sets,
                               values=user_flags, base=base, toml=toml,
                               base_sources=record.provenance if record else None)
    for key in hinted:
        provenance[key] = f"dataset hint ({getattr(source, 'name', 'data')})"
    if provenance.get("backend", "").startswith("default") and config.backend != "tensorflow":
        provenance["backend"] = "environment (KERAS_BACKEND)"
    return RunSpec(info=info, config=config, provenance=provenance, source=source,
                   backend=backend, run_dir=request.run_dir, resume=run, record=record,
                   restart=request.restart, init_from=request.init_from, notes=notes)


# -------------------------------------------------------------- build_model ---

@dataclass
class BuiltModel:
    """A compiled plugin model, ready to step: what :func:`build_model` returns."""

    model: object
    config: object
    distribution: object
    jit: bool
    stepper: object


def setup_distribution(strategy: str):
    """The :class:`~cgtk.engine.distribute.Distribution` for ``--strategy``; on
    TensorFlow it must exist before the first tf.data op (multi-worker collectives)."""
    from cgtk.engine import distribute

    return distribute.setup(strategy)


def seed_everything(seed: int | None) -> None:
    """Keras' global seed, and deterministic kernels on backends that offer them."""
    import keras

    from cgtk.engine import backend

    if seed is None:
        return
    keras.utils.set_random_seed(int(seed))
    backend.current().enable_determinism()


def build_model(cls, config, *, distribution, extras: dict | None = None,
                steps_per_epoch: int = 1, jit: bool | None = None, train: bool = True,
                keep_policy: bool = True) -> BuiltModel:
    """Precision policy -> ``cls(config)`` in the distribution scope -> ``setup_data`` ->
    ``compile_phases`` -> the backend's ``Stepper``.

    Args:
        distribution: from :func:`setup_distribution`.
        extras: what the data hands the model (``TrainData.extras``).
        steps_per_epoch: shapes the learning-rate schedules.
        jit: XLA; None = the config's, else the default for the device.
        train: False builds the networks only (``cgtk bench --infer``): no optimizers,
            no stepper.
        keep_policy: leave ``config.precision`` as Keras' global dtype policy (training);
            False restores the previous one, so models of several precisions can share
            a process (each layer keeps its own policy).
    """
    import keras

    from cgtk.engine import backend, distribute

    if config.batch_size % distribution.num_replicas:
        raise CgtkError(f"--batch-size {config.batch_size} is not divisible by the "
                        f"{distribution.num_replicas} devices of --strategy "
                        f"{distribution.kind}")
    use_jit = jit if jit is not None else (
        config.jit if config.jit is not None else distribute.default_jit(distribution))
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(config.precision)
    try:
        with distribution.scope():
            model = cls(config)
            if train:
                model.setup_data(extras or {})
                model.compile_phases(steps_per_epoch)
    finally:
        if not keep_policy:
            keras.config.set_dtype_policy(previous)
    stepper = (backend.current().Stepper(model, distribution.strategy, bool(use_jit))
               if train else None)
    return BuiltModel(model, config, distribution, bool(use_jit), stepper)


# -------------------------------------------------------------------- build ---

def versions() -> dict:
    """cgtk, Keras, Python and the backend libraries' versions, for the run record."""
    import keras

    from cgtk.engine import backend

    found = {"cgtk": __version__, "keras": keras.__version__,
             "python": platform.python_version()}
    found.update(backend.current().versions())  # TensorFlow too: tf.data on every backend
    return found


def export_inference(trainer) -> None:
    """Write every inference network as a standalone ``.keras`` file (atomically)."""
    from cgtk.runs import writing

    for name, inference in trainer.model.inference_networks().items():
        final = trainer.run.inference_path(name)
        tmp = final.with_name(f".tmp-{os.getpid()}-{final.name}")
        with writing(final, cleanup=[tmp]):  # a failed save leaves the previous file
            inference.network.save(tmp)
            os.replace(tmp, final)


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


def build(spec: RunSpec, *, console=None, callbacks=None):
    """The :class:`~cgtk.engine.trainer.Trainer` for ``spec``, ready to ``fit()``.

    The run directory's lock (:mod:`cgtk.runs.lock`) is taken here and held by
    ``trainer.run`` until ``trainer.run.unlock()`` or the end of the process; it is
    released if building fails. ``callbacks``: a list, or None for the defaults (on the
    chief process only). What the user should hear is appended to ``spec.notes``.
    """
    held: list = []
    try:
        return _build(spec, console, callbacks, held)
    except BaseException:
        for run in held:
            run.unlock()
        raise


def _build(spec: RunSpec, console, callbacks, held: list):
    from cgtk import data as cgtk_data
    from cgtk.cpu_features import warn_bf16_once
    from cgtk.engine.trainer import Trainer
    from cgtk.runs import CheckpointManager, RunDir, default_run_dir
    from cgtk.runs.record import RunRecord

    config, notes, run = spec.config, spec.notes, spec.resume
    seed_everything(config.seed)
    dist = setup_distribution(config.strategy)
    warn_bf16_once(config.precision, notes.append, what="training", device=dist.platform)
    if run is not None and dist.is_chief:  # --resume: only one process may write the run
        held.append(run)
        run.lock()

    train_data = cgtk_data.load_train_data(spec.source, config)
    if train_data.skipped and console is not None:
        console.print(f"[yellow]skipped {len(train_data.skipped)} unusable file(s)[/], e.g. "
                      f"{train_data.skipped[0][0]}: {train_data.skipped[0][1]}")
    steps_per_epoch = config.steps_per_epoch or train_data.steps_per_epoch(config.batch_size)
    built = build_model(spec.cls, config, distribution=dist, extras=train_data.extras,
                        steps_per_epoch=steps_per_epoch)
    if spec.init_from is not None:
        from cgtk.runs.init_from import init_from_run

        with dist.scope():
            notes.extend(init_from_run(built.model, spec.init_from))

    if run is None:
        run = RunDir.create(spec.run_dir or default_run_dir(spec.info.name),
                            exist_ok=not dist.is_chief, lock=dist.is_chief)
        held.append(run)
    checkpoints = CheckpointManager(run.checkpoints_dir, keep=config.keep)
    meta = None
    if spec.resume is not None and spec.restart:
        if dist.is_chief:
            aside = run.set_aside()
            notes.append(f"--restart: training from step 0; the run's previous files are "
                         f"in {aside}")
    elif spec.resume is not None:
        # before anything is written: a refused resume leaves the run as it was
        meta = _restore_or_refuse(checkpoints, built.model, run, notes)
    if dist.is_chief:
        record = RunRecord.for_training(
            info=spec.info, config=config, source=spec.source, distribution=dist,
            jit=built.jit, inference_networks=built.model.inference_networks(),
            versions=versions(), provenance=spec.provenance)
        run.write_record(record)

    if callbacks is None:
        from cgtk.callbacks import default_callbacks

        callbacks = default_callbacks if dist.is_chief else []
    return Trainer(model=built.model, data=train_data, run=run, config=config,
                   stepper=built.stepper, checkpoints=checkpoints,
                   sample_batch=cgtk_data.sample_inputs(spec.source, config,
                                                        config.num_samples),
                   console=console, is_chief=dist.is_chief, export=export_inference,
                   distribution=dist, jit=built.jit, source=spec.source,
                   callbacks=callbacks, resume_meta=meta)
