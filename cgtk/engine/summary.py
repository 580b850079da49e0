"""Per-network parameter counts for ``cgtk plugins show``."""
from __future__ import annotations

import math


def _shape(tensor) -> str:
    shape = getattr(tensor, "shape", None)
    return "x".join("?" if d is None else str(d) for d in shape[1:]) if shape is not None else "?"


def network_summaries(cls, config=None) -> list[dict]:
    """Build ``cls`` at ``config`` (default: its defaults) and describe every network.

    Parameter counts are trainable parameters (what papers and the PyTorch
    reference print); batch-norm moving statistics are not counted.
    """
    model = cls(config if config is not None else cls.Config())
    inference = {id(i.network): name for name, i in model.inference_networks().items()}
    rows = []
    for attr, net in model.networks().items():
        trainable = sum(int(math.prod(w.shape)) for w in net.trainable_weights)
        role = f"inference: {inference[id(net)]}" if id(net) in inference else "training"
        rows.append({"name": attr, "role": role, "params": trainable,
                     "input": _shape(net.inputs[0]) if getattr(net, "inputs", None) else "?",
                     "output": _shape(net.outputs[0]) if getattr(net, "outputs", None) else "?"})
    return rows
