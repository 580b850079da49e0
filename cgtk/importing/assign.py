"""Put reference (PyTorch-layout) tensors onto a Keras network, strictly.

A :class:`Slot` says "the tensors under ``key`` belong to this Keras layer". The layer's
class says how they are laid out:

==================  =========================================  =========================
Keras layer         file tensors (PyTorch names)               conversion
==================  =========================================  =========================
Conv2D              ``key.weight`` (O, I, kh, kw), ``key.bias``  kernel (kh, kw, I, O)
Conv2DTranspose     ``key.weight`` (I, O, kh, kw), ``key.bias``  kernel (kh, kw, O, I)
BatchNormalization  ``weight bias running_mean running_var``   gamma beta moving_*
GroupNormalization  ``key.weight``, ``key.bias`` (affine IN)      gamma, beta
PReLU               ``key.weight`` (C,) or (1,)                 alpha (1, 1, C)
Dense               ``key.weight`` (O, I), ``key.bias``           kernel (I, O)
==================  =========================================  =========================

``Slot(shuffle=r)`` marks a conv whose output feeds a PixelShuffle(r): PyTorch's
``PixelShuffle`` reads channel ``c*r*r + i*r + j`` for output channel ``c`` at sub-pixel
``(i, j)`` while ``depth_to_space`` (cgtk's ``PixelShuffle``) reads ``(i*r + j)*C + c``,
so the output channels are permuted (:func:`pixel_shuffle_permutation`).

:func:`load_into` is strict: a file tensor that no slot uses (except ``ignore``d keys,
by default ``*.num_batches_tracked``) and a network weight no slot fills are each a
one-line :class:`~cgtk.errors.CgtkError` naming the first such key and its shape.

>>> pixel_shuffle_permutation(channels=2, r=2).tolist()
[0, 4, 1, 5, 2, 6, 3, 7]
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cgtk.errors import CgtkError


@dataclass(frozen=True)
class Slot:
    """The file tensors under ``key`` (e.g. ``"model.1"``) go onto Keras ``layer``."""

    key: str
    layer: object
    shuffle: int | None = None


def default_ignore(key: str) -> bool:
    """BatchNorm's ``num_batches_tracked`` counters carry no weights."""
    return key.endswith(".num_batches_tracked")


def pixel_shuffle_permutation(channels: int, r: int) -> np.ndarray:
    """``perm[k]``: the PyTorch conv output channel that Keras channel ``k`` must hold."""
    k = np.arange(channels * r * r)
    sub, c = k // channels, k % channels
    return c * r * r + sub


def _shape(a) -> str:
    return "(" + ", ".join(str(int(d)) for d in a.shape) + ")"


def _layer_plan(slot: Slot) -> list[tuple[str, object, Callable]]:
    """``[(file key, keras variable, file array -> keras array)]`` for one slot."""
    import keras

    layer, key = slot.layer, slot.key
    out = []
    if isinstance(layer, keras.layers.Conv2DTranspose):
        out.append((f"{key}.weight", layer.kernel, lambda w: w.transpose(2, 3, 1, 0)))
        if layer.use_bias:
            out.append((f"{key}.bias", layer.bias, lambda b: b))
    elif isinstance(layer, keras.layers.Conv2D):
        perm = None
        if slot.shuffle:
            perm = pixel_shuffle_permutation(layer.filters // slot.shuffle ** 2, slot.shuffle)
        out.append((f"{key}.weight", layer.kernel,
                    lambda w: (w if perm is None else w[perm]).transpose(2, 3, 1, 0)))
        if layer.use_bias:
            out.append((f"{key}.bias", layer.bias, lambda b: b if perm is None else b[perm]))
    elif isinstance(layer, keras.layers.BatchNormalization):
        for name, attr in (("weight", "gamma"), ("bias", "beta"),
                           ("running_mean", "moving_mean"), ("running_var", "moving_variance")):
            if getattr(layer, attr, None) is not None:
                out.append((f"{key}.{name}", getattr(layer, attr), lambda v: v))
    elif isinstance(layer, keras.layers.GroupNormalization):
        for name, attr in (("weight", "gamma"), ("bias", "beta")):
            if getattr(layer, attr, None) is not None:
                out.append((f"{key}.{name}", getattr(layer, attr), lambda v: v))
    elif isinstance(layer, keras.layers.PReLU):
        target = tuple(layer.alpha.shape)
        out.append((f"{key}.weight", layer.alpha,
                    lambda a: np.broadcast_to(a.reshape((1,) * (len(target) - 1) + (-1,)),
                                              target)))
    elif isinstance(layer, keras.layers.Dense):
        out.append((f"{key}.weight", layer.kernel, lambda w: w.T))
        if layer.use_bias:
            out.append((f"{key}.bias", layer.bias, lambda b: b))
    else:
        raise TypeError(f"no reference layout for a {type(layer).__name__} layer ({key})")
    return out


def load_into(network, tensors: dict, slots: list[Slot], *, where: str = "the file",
              ignore: Callable[[str], bool] = default_ignore) -> dict:
    """Assign ``tensors`` to ``network`` through ``slots``; return ``{file key: weight path}``.

    Nothing is assigned unless every tensor fits: a missing key, a shape mismatch, an
    unused file tensor or an unfilled network weight raises CgtkError first.
    """
    planned, mapping, filled = [], {}, set()
    for slot in slots:
        for file_key, variable, convert in _layer_plan(slot):
            if file_key not in tensors:
                raise CgtkError(f"{where}: missing key {file_key} (the network needs shape "
                                f"{_shape(variable)} there)",
                                hint="is it a file of another architecture or size?")
            value = np.asarray(convert(np.asarray(tensors[file_key], dtype="float32")))
            if tuple(value.shape) != tuple(variable.shape):
                raise CgtkError(f"{where}: {file_key} has shape {_shape(tensors[file_key])}, "
                                f"which does not fit the network's {variable.path} "
                                f"{_shape(variable)}", hint="is it a file of another "
                                "architecture or size? check --set")
            planned.append((variable, value))
            mapping[file_key] = variable.path
            filled.add(id(variable))
    for key, value in tensors.items():
        if key not in mapping and not ignore(key):
            raise CgtkError(f"{where}: tensor {key} {_shape(np.asarray(value))} is not used by "
                            "the network", hint="is it a file of another architecture "
                            "(more blocks, a wider net)?")
    for variable in network.weights:
        if id(variable) not in filled:
            raise CgtkError(f"{where}: the network's weight {variable.path} "
                            f"{_shape(variable)} has no tensor in the file")
    for variable, value in planned:
        variable.assign(value.astype(variable.dtype))
    return mapping


def weighted_layers(network) -> list:
    """The layers of ``network`` that hold weights, in graph order."""
    return [layer for layer in network.layers if layer.weights]


def zip_slots(network, keys: list[str], *, shuffles: dict | None = None,
              where: str = "the file") -> list[Slot]:
    """Pair ``keys`` (file module prefixes, in order) with the weighted layers of
    ``network`` (in graph order). ``shuffles`` maps a key to its PixelShuffle factor."""
    layers = weighted_layers(network)
    if len(layers) != len(keys):
        raise CgtkError(f"{where}: the file describes {len(keys)} weighted layers, the "
                        f"network has {len(layers)}", hint="check --set against the file")
    shuffles = shuffles or {}
    return [Slot(k, layer, shuffles.get(k)) for k, layer in zip(keys, layers)]
