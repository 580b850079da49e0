"""cgtk: the Conditional Generative ToolKit.

Importing ``cgtk`` is cheap: it does not import Keras, TensorFlow or JAX.
The Keras-facing parts of the public API (``GANModel``, ``Phase``, ``nn``,
``losses``, ...) are imported on first attribute access, so the command line
starts instantly and a plugin's keras-free ``__init__`` can import ``cgtk``.

Example:

>>> import cgtk
>>> cgtk.API_VERSION
1
>>> spec = cgtk.Plugin(model="my_pkg.model:MyModel", summary="demo",
...                    data_kind="paired")
>>> spec.data_kind
'paired'
"""
import importlib

from cgtk._version import __version__
from cgtk.config import TrainConfig, option
from cgtk.errors import CgtkError
from cgtk.plugin import API_VERSION, DATA_KINDS, Plugin

# name -> "module:attribute" (attribute None means the module itself)
_LAZY = {
    "GANModel": ("cgtk.engine.model", "GANModel"),
    "Phase": ("cgtk.engine.model", "Phase"),
    "Inference": ("cgtk.engine.model", "Inference"),
    "nn": ("cgtk.nn", None),
    "losses": ("cgtk.losses", None),
    "metrics": ("cgtk.metrics", None),
    "data": ("cgtk.data", None),
    "testing": ("cgtk.testing", None),
    "inference": ("cgtk.inference", None),
    "import_weights": ("cgtk.importing.api", "import_weights"),
    # a run's config.json, typed (keras-free): what a plugin reads of another run
    "RunRecord": ("cgtk.runs.record", "RunRecord"),
    "InferenceSpec": ("cgtk.runs.record", "InferenceSpec"),
    "read_run_record": ("cgtk.runs.record", "read_run_record"),
}

__all__ = [
    "API_VERSION",
    "DATA_KINDS",
    "CgtkError",
    "Plugin",
    "TrainConfig",
    "__version__",
    "option",
    *_LAZY,
]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'cgtk' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
