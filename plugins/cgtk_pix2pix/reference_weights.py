"""The reference weights ``cgtk import pix2pix`` reads (see docs/import.md).

junyanz/pytorch-CycleGAN-and-pix2pix generators: its pretrained zoo's
``latest_net_G.pth`` (``scripts/download_pix2pix_model.sh``: facades_label2photo,
edges2shoes, map2sat, ...) and a training run's ``latest_net_G.pth``, either a
``UnetGenerator`` (unet_256 / unet_128 / any depth: ``num_downs`` is read off the file)
or a ``ResnetGenerator`` (resnet_9blocks / resnet_6blocks). ngf and norm are read off
the file too.

Dropout: the U-Net keeps dropout on at test time by default (``dropout_at_inference``,
the reference's ``test.py`` without ``--eval``); ``--set dropout_at_inference=false``
gives the deterministic ``model.eval()`` network.
"""
from __future__ import annotations

from cgtk.importing import WeightImporter, junyanz, zip_slots
from cgtk_pix2pix.config import RESNET_BLOCKS, UNET_DEPTH

SOURCE = ("junyanz/pytorch-CycleGAN-and-pix2pix: scripts/download_pix2pix_model.sh "
          "(http://efrosgans.eecs.berkeley.edu/pix2pix/models-pytorch/NAME.pth)")


def _unet_options(tensors):
    found = junyanz.unet_options(tensors)
    if found is None:
        return None
    depth = found["num_downs"]
    named = {v: k for k, v in UNET_DEPTH.items()}
    return {"netG": named.get(depth, "unet_256"),
            "num_downs": None if depth in named else depth,
            "ngf": found["ngf"], "norm": found["norm"]}


def _unet_slots(network, config, tensors):
    return zip_slots(network, junyanz.unet_keys(config.generator_depth(), config.norm))


def _resnet_options(tensors):
    found = junyanz.resnet_options(tensors)
    if found is None:
        return None
    named = {v: k for k, v in RESNET_BLOCKS.items()}
    if found["n_blocks"] not in named:
        return None
    return {"netG": named[found["n_blocks"]], "ngf": found["ngf"], "norm": found["norm"]}


def _resnet_slots(network, config, tensors):
    dropout = junyanz.resnet_options(tensors)["use_dropout"]
    return zip_slots(network, junyanz.resnet_keys(config.generator_depth(), config.norm,
                                                  dropout))


def reference_weights(model_cls):
    return [WeightImporter(name="junyanz UnetGenerator", source=SOURCE,
                           options=_unet_options, slots=_unet_slots,
                           ignore=junyanz.ignore),
            WeightImporter(name="junyanz ResnetGenerator (6 or 9 blocks)", source=SOURCE,
                           options=_resnet_options, slots=_resnet_slots,
                           ignore=junyanz.ignore)]
