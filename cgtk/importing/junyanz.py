"""Key layouts of junyanz/pytorch-CycleGAN-and-pix2pix (``models/networks.py``) onto
cgtk's builders: ``ResnetGenerator`` -> :func:`cgtk.nn.resnet_generator`,
``UnetGenerator`` -> :func:`cgtk.nn.unet_generator`, ``NLayerDiscriminator`` ->
:func:`cgtk.nn.patch_discriminator`.

Each ``*_options(tensors)`` reads the builder's options off the file's shapes (None if
the file is not that architecture); each ``*_keys(...)`` lists the file's module
prefixes in the order of the network's weighted layers.

>>> import numpy as np
>>> t = {"model.1.weight": np.zeros((8, 3, 7, 7)), "model.1.bias": np.zeros(8),
...      "model.10.conv_block.1.weight": np.zeros((32, 32, 3, 3))}
>>> resnet_options(t)
{'ngf': 8, 'n_blocks': 1, 'norm': 'instance', 'use_dropout': False}
"""
from __future__ import annotations

import re

N_DOWN = 2


def _norm_of(tensors: dict, conv: str, norm: str) -> str:
    if f"{norm}.weight" in tensors:  # the reference's BN is affine; its IN is not
        return "batch"
    return "instance" if f"{conv}.bias" in tensors else "none"


# ------------------------------------------------------------------ ResnetGenerator
def resnet_options(tensors: dict) -> dict | None:
    first = tensors.get("model.1.weight")
    if first is None or first.ndim != 4 or first.shape[2:] != (7, 7):
        return None
    blocks = {int(m.group(1)) for k in tensors
              if (m := re.match(r"model\.(\d+)\.conv_block\.", k))}
    dropout = any(re.match(r"model\.\d+\.conv_block\.6\.weight$", k) for k in tensors) and \
        not any(re.match(r"model\.\d+\.conv_block\.5\.weight$", k) for k in tensors)
    return {"ngf": int(first.shape[0]), "n_blocks": len(blocks),
            "norm": _norm_of(tensors, "model.1", "model.2"), "use_dropout": bool(dropout)}


def resnet_keys(n_blocks: int, norm: str, use_dropout: bool = False) -> list[str]:
    bn = norm == "batch"
    keys = []

    def add(conv: int, prefix="model"):
        keys.append(f"{prefix}.{conv}")
        if bn:
            keys.append(f"{prefix}.{conv + 1}")

    for conv in (1, 4, 7):
        add(conv)
    for i in range(n_blocks):
        block = f"model.{10 + i}.conv_block"
        add(1, block)
        add(6 if use_dropout else 5, block)
    up = 10 + n_blocks
    add(up)
    add(up + 3)
    keys.append(f"model.{up + 7}")
    return keys


# -------------------------------------------------------------------- UnetGenerator
def _unet_level(level: int) -> str:
    return "model" + ".model.1" * level if level == 1 else "model.model.1" + ".model.3" * (level - 1)


def unet_options(tensors: dict) -> dict | None:
    first = tensors.get("model.model.0.weight")
    if first is None or first.ndim != 4 or first.shape[2:] != (4, 4):
        return None
    depth = 1
    while f"{_unet_level(depth)}.model.1.weight" in tensors:
        depth += 1
    return {"ngf": int(first.shape[0]), "num_downs": depth,
            "norm": _norm_of(tensors, "model.model.0", f"{_unet_level(1)}.model.2")}


def unet_keys(num_downs: int, norm: str) -> list[str]:
    bn = norm == "batch"
    inner = num_downs - 1
    keys = ["model.model.0"]
    for level in range(1, num_downs):
        keys.append(f"{_unet_level(level)}.model.1")
        if bn and level < inner:
            keys.append(f"{_unet_level(level)}.model.2")
    for level in range(inner, 0, -1):
        up = 3 if level == inner else 5
        keys.append(f"{_unet_level(level)}.model.{up}")
        if bn:
            keys.append(f"{_unet_level(level)}.model.{up + 1}")
    keys.append("model.model.3")
    return keys


# -------------------------------------------------------------- NLayerDiscriminator
def patchgan_options(tensors: dict) -> dict | None:
    first = tensors.get("model.0.weight")
    if first is None or first.ndim != 4 or first.shape[2:] != (4, 4):
        return None
    convs = sorted(int(m.group(1)) for k in tensors
                   if (m := re.match(r"model\.(\d+)\.weight$", k)) and tensors[k].ndim == 4)
    return {"ndf": int(first.shape[0]), "n_layers": len(convs) - 2,
            "input_channels": int(first.shape[1]),
            "norm": _norm_of(tensors, "model.2", "model.3")}


def patchgan_keys(n_layers: int, norm: str) -> list[str]:
    bn = norm == "batch"
    step = 3 if norm != "none" else 2
    keys, index = ["model.0"], 2
    for _ in range(n_layers):
        keys.append(f"model.{index}")
        if bn:
            keys.append(f"model.{index + 1}")
        index += step
    keys.append(f"model.{index}")
    return keys


def ignore(key: str) -> bool:
    """Keys the reference's own loader drops: ``num_batches_tracked`` and InstanceNorm
    running statistics of files saved before PyTorch 0.4
    (``__patch_instance_norm_state_dict``). A BatchNorm's statistics are used, so they
    never reach this test."""
    return key.endswith((".num_batches_tracked", ".running_mean", ".running_var"))


def guess(tensors: dict) -> str | None:
    """Which junyanz network the file looks like (for error messages)."""
    if resnet_options(tensors):
        return "a ResnetGenerator"
    if unet_options(tensors):
        return "a UnetGenerator"
    if patchgan_options(tensors):
        return "an NLayerDiscriminator"
    return None
