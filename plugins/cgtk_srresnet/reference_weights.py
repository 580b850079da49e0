"""The reference weights ``cgtk import srresnet`` reads (see docs/import.md).

XPixelGroup/BasicSR ``MSRResNet`` state dicts (``basicsr/archs/srresnet_arch.py``), e.g.
``MSRResNet_x4.pth`` / ``001_MSRResNet_x4_f64b16_DIV2K_1000k_B16G1_wandb.pth`` from
BasicSR's releases and ``scripts/download_pretrained_models.py``; ``params_ema`` /
``params`` wrappers are unwrapped. The import builds ``arch=msrresnet``; ``n_feats``,
``n_blocks`` and ``scale`` (x4: two x2 stages ``upconv1`` + ``upconv2``; x2/x3: one
``upconv1`` with ``n_feats * r*r`` outputs) are read off the file. The convs before
each PixelShuffle get their output channels permuted to depth_to_space's order.
"""
from __future__ import annotations

import math
import re

from cgtk.importing import WeightImporter, zip_slots

SOURCE = ("XPixelGroup/BasicSR: scripts/download_pretrained_models.py and the GitHub "
          "releases (MSRResNet_x4.pth, ...)")


def _blocks(tensors) -> list[int]:
    return sorted({int(m.group(1)) for k in tensors
                   if (m := re.match(r"body\.(\d+)\.conv1\.weight$", k))})


def _scale(tensors, feats: int) -> int | None:
    if "upconv2.weight" in tensors:
        return 4
    up = tensors.get("upconv1.weight")
    if up is None:
        return None
    r = math.isqrt(int(up.shape[0]) // feats)
    return r if r * r * feats == up.shape[0] else None


def _options(tensors):
    first = tensors.get("conv_first.weight")
    if first is None or "conv_hr.weight" not in tensors:
        return None
    feats = int(first.shape[0])
    scale = _scale(tensors, feats)
    if scale not in (2, 3, 4):
        return None
    return {"arch": "msrresnet", "n_feats": feats, "n_blocks": len(_blocks(tensors)),
            "scale": scale, "norm": "none"}


def _slots(network, config, tensors):
    stages = ["upconv1", "upconv2"] if config.scale == 4 else ["upconv1"]
    keys = ["conv_first"]
    for i in _blocks(tensors):
        keys += [f"body.{i}.conv1", f"body.{i}.conv2"]
    keys += stages + ["conv_hr", "conv_last"]
    r = 2 if config.scale == 4 else config.scale
    return zip_slots(network, keys, shuffles={k: r for k in stages})


def reference_weights(model_cls):
    return [WeightImporter(name="BasicSR MSRResNet", source=SOURCE, options=_options,
                           slots=_slots)]
