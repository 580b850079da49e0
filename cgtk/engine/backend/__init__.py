"""Per-backend code. ``current()`` returns the module for Keras's backend.

Everything in cgtk that depends on the Keras backend lives in these modules
(``tensorflow.py``, ``jax.py``); the rest of cgtk asks ``backend.current()`` and
never compares ``keras.backend.backend()`` itself (tests/engine/test_backend_interface.py
checks both). Each module provides exactly :data:`INTERFACE`:

Training
    ``train_step(model, ...)``: one step over every phase (TF: ``(model, data) -> logs``;
    JAX: ``(model, state, data) -> (logs, state)``, pure).
    ``Stepper(model, strategy, jit)``: runs compiled steps; ``distribute(dataset)``,
    ``step(batch) -> logs``, ``sync()``, ``reload()``, ``logs_to_numpy(logs) -> dict``.
    ``gradient_penalty(critic, real, fake, weight=10.0, seed=None)``: WGAN-GP.

Set-up
    ``enable_determinism() -> None``: deterministic kernels where the backend has a switch.
    ``default_strategy()``: what ``Stepper`` takes on one device (TF's default strategy; None).
    ``setup_distribution(kind) -> Distribution``: ``--strategy one|mirrored|multiworker|auto``
    (:mod:`cgtk.engine.distribute`).
    ``JIT_ON_CPU: bool``: whether steps are compiled by default on a CPU.
    ``versions() -> dict``: library name -> version for the run record: the backend's
    libraries, and TensorFlow on every backend (tf.data feeds the steps); imports nothing
    new.
    ``first_step_log_filter()``: a context manager around the compiling first step.

Inference and benchmarks
    ``inference_forward(network) -> fn(batch) -> array``: what ``cgtk infer`` runs, compiled
    once for every image size where the backend can.
    ``compiled_forward(network, jit) -> fn(x) -> y``: the bench's compiled forward pass.
    ``block_until_ready(x) -> None``: wait until ``x`` is computed.
    ``peak_memory() -> int | None``: peak accelerator memory in bytes (None on a CPU).
    ``accelerators() -> list[dict]``: the backend's non-CPU devices (``kind``, ``platform``).
    ``to_numpy(value) -> np.ndarray``: a variable's value on the host (checkpoints).

Export
    ``saved_model_endpoint(channels, input_name) -> (input_spec, endpoint_kwargs)``: the
    ``ExportArchive.add_endpoint`` signature of a ``[None, None, None, C]`` float32 input.
    ``saved_model_options()``: ``tf.saved_model.SaveOptions`` for ``write_out`` (or None).

>>> import cgtk.engine.backend as backend
>>> all(hasattr(backend.current(), name) for name in backend.INTERFACE)
True
"""
from __future__ import annotations

import importlib

from cgtk.errors import CgtkError

SUPPORTED = {"tensorflow": "cgtk.engine.backend.tensorflow", "jax": "cgtk.engine.backend.jax"}

#: The names every backend module defines (see the module docstring).
INTERFACE = (
    "train_step", "Stepper", "gradient_penalty",
    "enable_determinism", "default_strategy", "setup_distribution", "JIT_ON_CPU", "versions",
    "first_step_log_filter",
    "inference_forward", "compiled_forward", "block_until_ready", "peak_memory",
    "accelerators", "to_numpy",
    "saved_model_endpoint", "saved_model_options",
)


def current():
    """The backend module for Keras's backend (a CgtkError for one cgtk does not support)."""
    import keras

    name = keras.backend.backend()
    if name not in SUPPORTED:
        raise CgtkError(
            f"the Keras backend '{name}' is not supported by cgtk",
            hint="use --backend tensorflow or --backend jax (KERAS_BACKEND)")
    return importlib.import_module(SUPPORTED[name])
