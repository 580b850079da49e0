"""The reference weights ``cgtk import cut`` / ``cgtk import fastcut`` read.

taesungp/contrastive-unpaired-translation ``latest_net_G.pth``, for a generator trained
with ``--no_antialias --no_antialias_up``: its ``ResnetGenerator`` is then CycleGAN's,
key for key, so the mapping is cyclegan's (:mod:`cgtk.importing.junyanz`). The
reference's *default* generator is antialiased (a blur-pool ``Downsample`` after each
stride-1 down conv, blur ``Upsample`` + conv up); cgtk's generator has no such layers,
so such a file is refused with that reason. ngf, n_blocks and normG are read off the file.
"""
from __future__ import annotations

import re

from cgtk.errors import CgtkError
from cgtk.importing import WeightImporter, junyanz, zip_slots

SOURCE = ("taesungp/contrastive-unpaired-translation: checkpoints/NAME/latest_net_G.pth "
          "of a run with --no_antialias --no_antialias_up")


def _antialiased(tensors) -> bool:
    blocks = [int(m.group(1)) for k in tensors
              if (m := re.match(r"model\.(\d+)\.conv_block\.", k))]
    return any(k.endswith(".filt") for k in tensors) or (bool(blocks) and min(blocks) != 10)


def _options(tensors):
    found = junyanz.resnet_options(tensors)
    if found is None:
        return None
    if _antialiased(tensors):
        raise CgtkError("this CUT generator uses the reference's default antialiased "
                        "down/upsampling (blur-pool layers), which cgtk's ResNet generator "
                        "does not have", hint="import a generator trained with "
                        "--no_antialias --no_antialias_up (see docs/cut.md)")
    return {"ngf": found["ngf"], "n_blocks": found["n_blocks"], "normG": found["norm"],
            "upsample": "transpose"}


def _slots(network, config, tensors):
    dropout = junyanz.resnet_options(tensors)["use_dropout"]
    return zip_slots(network, junyanz.resnet_keys(config.n_blocks, config.normG, dropout))


def reference_weights(model_cls):
    return [WeightImporter(name="CUT ResnetGenerator (--no_antialias --no_antialias_up)",
                           source=SOURCE, options=_options, slots=_slots)]
