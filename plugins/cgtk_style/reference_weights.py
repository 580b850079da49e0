"""The reference weights ``cgtk import style`` reads (see docs/import.md).

pytorch/examples ``fast_neural_style`` ``TransformerNet`` state dicts: ``candy.pth``,
``mosaic.pth``, ``rain_princess.pth``, ``udnie.pth`` (``download_saved_models.py``).
The import builds the matching variant: ``upsample=nearest`` (its
``UpsampleConvLayer``), ``output=pixels255`` (it works on 0..255 pixels with a linear
output), ``norm=instance_affine``; ``ngf`` and ``n_blocks`` are read off the file. Old
files carry InstanceNorm ``running_mean`` / ``running_var`` keys, which its own
``neural_style.py`` deletes before loading: they are ignored here too.
"""
from __future__ import annotations

import re

from cgtk.importing import WeightImporter, zip_slots

SOURCE = ("pytorch/examples: fast_neural_style/download_saved_models.py "
          "(saved_models.zip: candy.pth, mosaic.pth, rain_princess.pth, udnie.pth)")


def _blocks(tensors) -> list[int]:
    return sorted({int(m.group(1)) for k in tensors
                   if (m := re.match(r"res(\d+)\.conv1\.conv2d\.weight$", k))})


def _options(tensors):
    first = tensors.get("conv1.conv2d.weight")
    if first is None or "deconv3.conv2d.weight" not in tensors:
        return None
    return {"ngf": int(first.shape[0]), "n_blocks": len(_blocks(tensors)),
            "norm": "instance_affine", "upsample": "nearest", "output": "pixels255"}


def _slots(network, config, tensors):
    keys = ["conv1.conv2d", "in1", "conv2.conv2d", "in2", "conv3.conv2d", "in3"]
    for i in _blocks(tensors):
        keys += [f"res{i}.conv1.conv2d", f"res{i}.in1", f"res{i}.conv2.conv2d", f"res{i}.in2"]
    keys += ["deconv1.conv2d", "in4", "deconv2.conv2d", "in5", "deconv3.conv2d"]
    return zip_slots(network, keys)


def _ignore(key: str) -> bool:
    return bool(re.match(r"(res\d+\.)?in\d+\.(running_mean|running_var|num_batches_tracked)$",
                         key))


def reference_weights(model_cls):
    return [WeightImporter(name="pytorch/examples fast_neural_style TransformerNet",
                           source=SOURCE, options=_options, slots=_slots, ignore=_ignore)]
