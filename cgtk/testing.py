"""Conformance checks for plugin authors: ``check_plugin(MyModel)``.

It builds a tiny instance on the demo data of the plugin's kind, runs one
training step through the engine (the same compiled step ``cgtk train``
runs), checks every logged term is finite and that every phase moved its
weights, saves each inference network to ``.keras``, reloads it with
``safe_mode=True`` and checks the output shape and values. With
``backends="all"`` it repeats the check on every other installed backend in a
subprocess (the backend is fixed when Keras is first imported).

A plugin makes itself tiny with a class attribute, e.g.
``tiny_config = {"ngf": 8}``, which is used as given; ``overrides`` add to it.
Only the small-run keys the tiny config leaves out (``batch_size=2``,
``image_size=32``, ``epochs=1``, ``load_size=None``) are filled in, and the
check says so: in a warning and under ``"set_by_check"`` in its result.

>>> from cgtk.testing import check_plugin         # doctest: +SKIP
>>> check_plugin(MyModel, backends="all")["tensorflow"]["terms"]   # doctest: +SKIP
['G_l1', 'loss_generator']
"""
from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from cgtk.errors import CgtkError

TINY_DEFAULTS = {"batch_size": 2, "image_size": 32, "epochs": 1, "load_size": None}


class PluginCheckError(AssertionError):
    """A plugin does not conform; the message says what and where."""


def _installed_backends() -> list[str]:
    found = ["tensorflow"] if importlib.util.find_spec("tensorflow") else []
    if importlib.util.find_spec("jax"):
        found.append("jax")
    return found


def _validate_class(cls) -> None:
    """The registry's checks; metadata the class leaves to its spec is taken from the
    installed entry point whose spec names this class, if there is one."""
    from cgtk import registry

    target = f"{cls.__module__}:{cls.__qualname__}"
    spec_info = next((i for i in registry.discover() if i.spec is not None
                      and i.spec.model == target), None)
    info = registry.PluginInfo(
        name=spec_info.name if spec_info else (getattr(cls, "name", None) or cls.__name__.lower()),
        target=target, spec=spec_info.spec if spec_info else None)
    registry._check_class(info, cls)
    if not info.ok:
        raise PluginCheckError(info.error)


def _tiny_config(cls, overrides):
    """The config to check with, and what the check itself set beyond the plugin's say."""
    given = {**getattr(cls, "tiny_config", {}), **(overrides or {})}
    names = {f.name for f in dataclasses.fields(cls.Config)}
    unknown = set(given) - names
    if unknown:
        raise PluginCheckError(f"unknown config key(s) for {cls.__name__}: {sorted(unknown)}")
    defaults = cls.Config()
    filled = {k: v for k, v in TINY_DEFAULTS.items()
              if k not in given and k in names and getattr(defaults, k) != v}
    if filled:
        import warnings

        listed = ", ".join(f"{k}={v!r}" for k, v in filled.items())
        warnings.warn(f"check_plugin sets {listed} for {cls.__name__}: its tiny_config does "
                      "not give them (add them to tiny_config to choose)", stacklevel=3)
    return cls.Config(**{**filled, **given}), filled


def _check_here(cls, overrides) -> dict:
    import keras

    from cgtk import data as cgtk_data
    from cgtk.engine import backend
    from cgtk.engine.builder import build_model, setup_distribution

    _validate_class(cls)
    config, filled = _tiny_config(cls, overrides)
    keras.utils.set_random_seed(0)
    dist = setup_distribution("one")
    source = cgtk_data.resolve_source("demo", cls.data_kind)
    data = cgtk_data.load_train_data(source, config)
    # the same build as `cgtk train` (precision, distribution scope, setup_data,
    # compile_phases, the backend's Stepper), compiled as `cgtk train` compiles on a CPU:
    # TensorFlow traces a graph without XLA; JAX jits the step (op by op, JAX would
    # compile each op on its own, several times slower for one step)
    built = build_model(cls, config, distribution=dist, extras=data.extras,
                        steps_per_epoch=1, jit=backend.current().JIT_ON_CPU,
                        keep_policy=False)
    model, stepper = built.model, built.stepper
    before = {p.name: [np.array(keras.ops.convert_to_numpy(v)) for v in p.trainable_variables]
              for p in model.training_phases}
    batch = next(iter(stepper.distribute(data.dataset(0).take(1))))
    logs = stepper.logs_to_numpy(stepper.step(batch))
    stepper.sync()
    for term, value in logs.items():
        if not math.isfinite(value):
            raise PluginCheckError(f"term '{term}' is {value} after one step")
    for phase in model.training_phases:
        moved = any(float(np.max(np.abs(np.asarray(keras.ops.convert_to_numpy(v)) - b))) > 0
                    for v, b in zip(phase.trainable_variables, before[phase.name]))
        if not moved:
            raise PluginCheckError(f"phase '{phase.name}' did not change its weights in a step")
    sample = cgtk_data.sample_inputs(source, config, 1)
    x = sample[0] if isinstance(sample, (tuple, list)) else sample
    shapes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, inference in model.inference_networks().items():
            net = inference.network
            expected = net(x, training=False)
            path = Path(tmp) / f"{name}.keras"
            net.save(path)
            loaded = keras.saving.load_model(path, safe_mode=True)
            again = loaded(x, training=False)
            want = (x.shape[1] * inference.scale, x.shape[2] * inference.scale)
            if tuple(again.shape[1:3]) != want:
                raise PluginCheckError(
                    f"inference '{name}' maps {x.shape[1:3]} to {tuple(again.shape[1:3])}, "
                    f"expected {want} (scale {inference.scale})")
            stochastic = any("dropout" in type(layer).__name__.lower() for layer in net.layers)
            diff = float(np.max(np.abs(keras.ops.convert_to_numpy(expected)
                                       - keras.ops.convert_to_numpy(again))))
            if not stochastic and diff > 1e-4:
                raise PluginCheckError(f"inference '{name}' changes by {diff} after save/load")
            shapes[name] = list(again.shape)
    return {"backend": keras.backend.backend(), "terms": sorted(logs), "outputs": shapes,
            "set_by_check": filled}


def check_plugin(cls, *, overrides: dict | None = None, backends: str = "current") -> dict:
    """Check that ``cls`` is a working cgtk plugin; raise PluginCheckError if not.

    Args:
        cls: the plugin's model class (a :class:`cgtk.GANModel` subclass).
        overrides: config values on top of ``cls.tiny_config`` and small defaults.
        backends: ``"current"`` (Keras's backend in this process) or ``"all"``
            (also every other installed backend, each in a subprocess).

    Returns: ``{backend: {"terms": [...], "outputs": {name: shape}}}``.
    """
    import keras

    here = keras.backend.backend()
    results = {here: _check_here(cls, overrides)}
    if backends == "all":
        for other in _installed_backends():
            if other != here:
                results[other] = _check_in_subprocess(cls, overrides, other)
    return results


def _check_in_subprocess(cls, overrides, backend_name) -> dict:
    import json

    code = (
        "import json, importlib, sys\n"
        f"mod = importlib.import_module({cls.__module__!r})\n"
        f"cls = getattr(mod, {cls.__qualname__!r})\n"
        "from cgtk.testing import check_plugin\n"
        f"r = check_plugin(cls, overrides=json.loads({json.dumps(json.dumps(overrides or {}))}))\n"
        "print('CHECK ' + json.dumps(r))\n")
    env = {**os.environ, "KERAS_BACKEND": backend_name, "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=900)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("CHECK ")), None)
    if result.returncode != 0 or line is None:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise PluginCheckError(f"check on {backend_name} failed:\n{tail}")
    return json.loads(line[len("CHECK "):])[backend_name]


__all__ = ["CgtkError", "PluginCheckError", "check_plugin"]
