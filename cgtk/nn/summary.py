"""Describe built networks: parameter counts and the input-size multiple they need.

>>> from cgtk.nn import resnet_generator, network_summary, required_multiple
>>> g = resnet_generator(ngf=4, n_blocks=1, name="G")
>>> s = network_summary(g)
>>> s["name"], s["params"], s["input"], s["output"], required_multiple(g)
('G', 8739, '?x?x3', '?x?x3', 4)
"""
from __future__ import annotations

import math

import keras

_STRIDED = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D,
            keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)


def _n_weights(weights) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def _shape_text(shape) -> str:
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    return "x".join("?" if d is None else str(d) for d in tuple(shape)[1:])


def network_summary(model: keras.Model) -> dict:
    """``{"name", "params", "trainable_params", "input", "output"}`` of a built model.

    ``params`` counts every weight (as ``count_params``, BatchNorm moving statistics
    included); ``trainable_params`` only the trainable ones, which is what PyTorch's
    ``sum(p.numel() for p in net.parameters())`` reports. ``input``/``output`` are shapes
    without the batch axis, ``?`` for any size, e.g. ``"?x?x3"``.
    """
    return {
        "name": model.name,
        "params": _n_weights(model.weights),
        "trainable_params": _n_weights(model.trainable_weights),
        "input": _shape_text(model.input_shape),
        "output": _shape_text(model.output_shape),
    }


def _stride_product(layer) -> int:
    if isinstance(layer, keras.Model):
        return math.prod(_stride_product(sub) for sub in layer.layers)
    if isinstance(layer, _STRIDED):
        strides = layer.strides if isinstance(layer.strides, tuple | list) else (layer.strides,)
        return max(int(s) for s in strides)
    return 1


def required_multiple(model: keras.Model) -> int:
    """The number input height and width must be multiples of for ``model``.

    Uses ``model.cgtk_multiple`` set by the cgtk builders; a model without it (e.g. one
    reloaded from ``.keras``) gets the product of the strides of its strided convs and
    poolings (ResNet 4, U-Net ``2 ** num_downs``, discriminators: their downsampling,
    which is a safe over-estimate).

    >>> from cgtk.nn import unet_generator
    >>> required_multiple(unet_generator(num_downs=6, ngf=2))
    64
    """
    multiple = getattr(model, "cgtk_multiple", None)
    if multiple is not None:
        return int(multiple)
    return _stride_product(model)
