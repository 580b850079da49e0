"""Per-backend engine code. ``current()`` returns the module for Keras's backend.

Each module provides ``train_step``, ``Stepper`` and ``gradient_penalty``;
nothing else in cgtk (or in any plugin) is backend-specific.
"""
from __future__ import annotations

import importlib

from cgtk.errors import CgtkError

SUPPORTED = {"tensorflow": "cgtk.engine.backend.tensorflow", "jax": "cgtk.engine.backend.jax"}


def current():
    import keras

    name = keras.backend.backend()
    if name not in SUPPORTED:
        raise CgtkError(
            f"the Keras backend '{name}' is not supported by cgtk",
            hint="use --backend tensorflow or --backend jax (KERAS_BACKEND)")
    return importlib.import_module(SUPPORTED[name])
