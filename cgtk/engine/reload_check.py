"""Reload the ``.keras`` inference files a run just wrote, as ``cgtk infer`` will.

A custom layer that is not registered as serialisable trains fine and saves
fine; only loading fails, later and far away. ``cgtk train`` therefore ends by
reloading each file with ``safe_mode=True`` in its own process, where the
plugin's classes are importable, and turns a failure into one line that names
the layer class and the fix.
"""
from __future__ import annotations

import re
from pathlib import Path

from cgtk.errors import CgtkError

_MISSING_CLASS = re.compile(r"Could not locate (?:class|function) '([\w.]+)'")


def check_reloads(paths: list[Path]) -> None:
    """Raise CgtkError for the first file that does not reload with safe_mode."""
    import keras

    import cgtk.nn  # noqa: F401 - registers cgtk's own layers

    for path in paths:
        try:
            keras.saving.load_model(str(path), compile=False, safe_mode=True)
        except Exception as err:  # noqa: BLE001 - Keras raises TypeError/ValueError/...
            text = " ".join(str(err).split())
            missing = _MISSING_CLASS.search(text)
            if missing:
                name = missing.group(1)
                raise CgtkError(
                    f"{path} was saved but does not reload as 'cgtk infer' would: its "
                    f"layer class '{name}' is not registered as serialisable",
                    hint=f"decorate {name} with @keras.saving.register_keras_serializable("
                    "package='your_plugin'), give it get_config() for its __init__ "
                    "arguments, and train again (the checkpoints are intact)") from None
            raise CgtkError(f"{path} was saved but does not reload with safe_mode: "
                            f"{text[:240]}", hint="see docs/plugins.md on saving") from None
