"""The reference weights ``cgtk import cyclegan`` reads (see docs/import.md).

junyanz/pytorch-CycleGAN-and-pix2pix ``ResnetGenerator`` state dicts: its pretrained
zoo's ``latest_net_G.pth`` (``scripts/download_cyclegan_model.sh``: horse2zebra,
monet2photo, ...) and a training run's ``latest_net_G_A.pth`` / ``latest_net_G_B.pth``.
One file fills ``a2b`` (or ``--network b2a``); two files fill ``a2b`` then ``b2a``.
ngf, n_blocks and norm are read off the file; upsampling is the reference's
transposed conv.
"""
from __future__ import annotations

from cgtk.importing import WeightImporter, junyanz, zip_slots

SOURCE = ("junyanz/pytorch-CycleGAN-and-pix2pix: scripts/download_cyclegan_model.sh "
          "(http://efrosgans.eecs.berkeley.edu/cyclegan/pretrained_models/NAME.pth)")


def _options(tensors):
    found = junyanz.resnet_options(tensors)
    if found is None:
        return None
    return {"ngf": found["ngf"], "n_blocks": found["n_blocks"], "norm": found["norm"],
            "upsample": "transpose"}


def _slots(network, config, tensors):
    dropout = junyanz.resnet_options(tensors)["use_dropout"]  # shifts the block's keys
    return zip_slots(network, junyanz.resnet_keys(config.n_blocks, config.norm, dropout))


def reference_weights(model_cls):
    return [WeightImporter(name="junyanz ResnetGenerator", source=SOURCE,
                           options=_options, slots=_slots,
                           ignore=junyanz.ignore)]
