"""Choosing the Keras backend before Keras is first imported.

>>> import os
>>> select_backend("jax", environ={})["KERAS_BACKEND"]
'jax'
"""
from __future__ import annotations

import os
import sys

from cgtk.errors import CgtkError

BACKENDS = ("tensorflow", "jax")


def select_backend(name: str | None, environ=None) -> dict:
    """Set ``KERAS_BACKEND`` (if ``name`` is given); refuse what cgtk cannot run.

    In this process (``environ`` None) TensorFlow's native start-up chatter will be
    filtered whenever it is first imported (:mod:`cgtk.native_logs`).

    Raises CgtkError if Keras is already imported with another backend, or for
    the PyTorch backend, which cgtk does not support.
    """
    env = os.environ if environ is None else environ
    name = name or env.get("KERAS_BACKEND") or "tensorflow"
    if name == "torch":
        raise CgtkError("the PyTorch backend is not supported by cgtk",
                        hint="use --backend tensorflow or --backend jax")
    if name not in BACKENDS:
        raise CgtkError(f"--backend {name}: unknown backend; choose tensorflow or jax")
    if name == "jax":
        try:
            import importlib.util
            if importlib.util.find_spec("jax") is None:
                raise ImportError
        except ImportError:
            raise CgtkError("--backend jax needs JAX", hint='pip install "cgtk[jax]"') from None
    if environ is None and "keras" in sys.modules:
        import keras

        if keras.backend.backend() != name:
            raise CgtkError(
                f"Keras is already running on {keras.backend.backend()}, cannot switch to {name}",
                hint="start a new process with KERAS_BACKEND set")
    env["KERAS_BACKEND"] = name
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if environ is None:
        from cgtk.native_logs import hold_tensorflow_start_up

        hold_tensorflow_start_up()
    return env
