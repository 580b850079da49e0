"""Per-network parameter counts for ``cgtk plugins show``."""
from __future__ import annotations

import math


def _shape(tensor) -> str:
    shape = getattr(tensor, "shape", None)
    return "x".join("?" if d is None else str(d) for d in shape[1:]) if shape is not None else "?"


def _shapes(tensors) -> str:
    """The first tensor's shape, and how many more there are (a feature model's outputs)."""
    if not tensors:
        return "?"
    more = f" (+{len(tensors) - 1} more)" if len(tensors) > 1 else ""
    return _shape(tensors[0]) + more


def held_networks(model) -> dict:
    """``model.networks()`` and every other trainable Keras layer the model holds as a
    public attribute (e.g. CUT's patch sampler ``F``, a layer built from feature shapes
    rather than a Model), by attribute name, in definition order."""
    import keras

    models = model.networks()
    found = {}
    seen = set()
    for attr, value in vars(model).items():
        if id(value) in seen:
            continue
        if attr in models or (not attr.startswith("_") and isinstance(value, keras.layers.Layer)
                              and value.trainable_weights):
            seen.add(id(value))
            found[attr] = value
    for attr, value in models.items():  # networks() may find some that vars() does not
        if id(value) not in seen:
            seen.add(id(value))
            found[attr] = value
    return found


def network_summaries(cls, config=None) -> list[dict]:
    """Build ``cls`` at ``config`` (default: its defaults) and describe every network.

    Parameter counts are trainable parameters (what papers and the PyTorch
    reference print); batch-norm moving statistics are not counted. A network made of
    another's layers (CUT's ``G_features`` and ``G_encoder`` share ``G``'s weights) says
    so in its role: its parameters are not extra ones.
    """
    model = cls(config if config is not None else cls.Config())
    inference = {id(i.network): name for name, i in model.inference_networks().items()}
    rows, owners = [], []  # owners: (name, ids of its trainable weights)
    for attr, net in held_networks(model).items():
        weights = {id(w) for w in net.trainable_weights}
        trainable = sum(int(math.prod(w.shape)) for w in net.trainable_weights)
        owner = next((name for name, ids in owners if weights and weights <= ids), None)
        if id(net) in inference:
            role = f"inference: {inference[id(net)]}"
        elif owner is not None:
            role = f"training, {owner}'s weights"
        else:
            role = "training"
        if owner is None:
            owners.append((attr, weights))
        rows.append({"name": attr, "role": role, "params": trainable,
                     "input": _shapes(getattr(net, "inputs", None)),
                     "output": _shapes(getattr(net, "outputs", None))})
    return rows
