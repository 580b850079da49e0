"""Import reference (PyTorch) weights into cgtk networks: ``cgtk import`` and
:func:`cgtk.import_weights`. No torch at run time and no code from the file ever runs.

Files: ``.pth``/``.pt`` saved by ``torch.save`` (zip format; read by cgtk's restricted
unpickler, :mod:`cgtk.importing.pth`) and ``.safetensors``. State dicts wrapped in
``params_ema`` / ``params`` (BasicSR), ``state_dict`` or ``model`` are unwrapped.

From Python::

    import cgtk
    result = cgtk.import_weights("cyclegan", "latest_net_G_A.pth", "runs/h2z")
    result.run_dir        # an ordinary run directory: cgtk infer / eval / export work on it

How a plugin declares its reference's key mapping (a third-party plugin adds its own
zoo this way): give the model class a ``reference_weights()`` classmethod, or put a
module ``reference_weights`` in the model's package with a function
``reference_weights(model_cls)``, returning :class:`WeightImporter` objects::

    # my_plugin/reference_weights.py
    from cgtk.importing import WeightImporter, zip_slots

    def _options(tensors):                 # what the file says, or None: not this file
        w = tensors.get("conv_first.weight")
        if w is None:
            return None
        blocks = {k.split(".")[1] for k in tensors if k.startswith("body.")}
        return {"n_feats": int(w.shape[0]), "n_blocks": len(blocks)}

    def _slots(network, config, tensors):   # file module prefixes, in the order of the
        keys = ["conv_first"]              # network's weighted layers (graph order)
        keys += [f"body.{i}.conv{j}" for i in range(config.n_blocks) for j in (1, 2)]
        keys += ["upconv1", "conv_last"]
        return zip_slots(network, keys, shuffles={"upconv1": 2})  # before a PixelShuffle

    def reference_weights(model_cls):
        return [WeightImporter(name="MyNet (me/my-repo)", source="https://...",
                               options=_options, slots=_slots)]

The layouts (conv/transposed-conv kernels, BatchNorm running stats, affine instance
norm, PReLU, Dense, biases, the PixelShuffle channel permutation) are handled by
:func:`load_into`, which is strict: a file tensor left unused (other than
``num_batches_tracked`` or the importer's ``ignore``) or a network weight left
unassigned is a one-line error naming the first such key and its shape. For a single
network, ``load_into(network, read_weights(path).tensors, slots)`` does the assignment
alone.
"""
from __future__ import annotations

import importlib

_LAZY = {
    "import_weights": ("cgtk.importing.api", "import_weights"),
    "ImportResult": ("cgtk.importing.api", "ImportResult"),
    "read_weights": ("cgtk.importing.reader", "read_weights"),
    "WeightsFile": ("cgtk.importing.reader", "WeightsFile"),
    "read_pth": ("cgtk.importing.pth", "read_pth"),
    "WeightImporter": ("cgtk.importing.spec", "WeightImporter"),
    "importers_of": ("cgtk.importing.spec", "importers_of"),
    "Slot": ("cgtk.importing.assign", "Slot"),
    "load_into": ("cgtk.importing.assign", "load_into"),
    "zip_slots": ("cgtk.importing.assign", "zip_slots"),
    "pixel_shuffle_permutation": ("cgtk.importing.assign", "pixel_shuffle_permutation"),
}

__all__ = list(_LAZY)


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'cgtk.importing' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
