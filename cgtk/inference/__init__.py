"""Inference: safe model loading, any-size images (padding, blended tiles), batching.

* :mod:`cgtk.inference.load`: :func:`open_source` (run directory or ``.keras`` file),
  :func:`load_network` (``safe_mode=True`` only), :func:`load_keras_model`.
* :mod:`cgtk.inference.tiles`: :func:`pad_to_multiple`, :func:`tiled_apply`.
* :mod:`cgtk.inference.run`: :class:`Predictor`, :func:`infer_files`.

Importing this package does not import Keras; the names load lazily.

>>> from cgtk.inference import pad_to_multiple
>>> import numpy as np
>>> pad_to_multiple(np.zeros((5, 7, 3)), 4)[0].shape
(8, 8, 3)
"""
import importlib

_NAMES = {
    "Source": "load", "open_source": "load", "load_network": "load",
    "load_keras_model": "load", "check_model_file": "load", "probe_scale": "load",
    "pad_to_multiple": "tiles", "tiled_apply": "tiles", "plan_tiles": "tiles",
    "axis_window": "tiles", "tile_count": "tiles",
    "Predictor": "run", "infer_files": "run", "list_inputs": "run", "InferReport": "run",
    "check_output_dir": "run", "check_input_output": "run", "save_image": "run",
    "FORMATS": "run",
}
#: The type of ``Source.entries``: the run record's (cgtk.runs.record).
_ELSEWHERE = {"InferenceSpec": "cgtk.runs.record"}

__all__ = sorted([*_NAMES, *_ELSEWHERE])


def __getattr__(name):
    if name in _ELSEWHERE:
        value = getattr(importlib.import_module(_ELSEWHERE[name]), name)
        globals()[name] = value
        return value
    if name not in _NAMES:
        raise AttributeError(f"module 'cgtk.inference' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cgtk.inference.{_NAMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_NAMES) | set(_ELSEWHERE))
