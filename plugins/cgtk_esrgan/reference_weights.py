"""The reference weights ``cgtk import esrgan`` / ``cgtk import realesrgan`` read (see
docs/import.md and docs/esrgan.md).

Two namings of the same RRDBNet:

* **BasicSR** (``basicsr/archs/rrdbnet_arch.py``): ``conv_first``,
  ``body.N.rdb1..3.conv1..5``, ``conv_body``, ``conv_up1``, ``conv_up2``, ``conv_hr``,
  ``conv_last``. Real-ESRGAN's releases (``RealESRGAN_x4plus.pth``,
  ``RealESRNet_x4plus.pth``, ``RealESRGAN_x4plus_anime_6B.pth``, ``RealESRGAN_x2plus.pth``)
  and BasicSR's model zoo (``ESRGAN_SRx4_DF2KOST_official-ff704c30.pth``, ...) use it,
  under ``params_ema`` (preferred) or ``params``.
* **The ESRGAN repository** (xinntao/ESRGAN, ``RRDB_ESRGAN_x4.pth``,
  ``RRDB_PSNR_x4.pth``): one ``nn.Sequential`` -- ``model.0`` (conv_first),
  ``model.1.sub.N.RDB1..3.conv1..5.0`` (the dense blocks), ``model.1.sub.<n_blocks>``
  (conv_body), ``model.3`` / ``model.6`` (the two upsampling convs), ``model.8``
  (conv_hr), ``model.10`` (conv_last); x4 only.

``n_blocks``, ``n_feats``, ``growth`` and ``scale`` are read off the shapes: x4 takes 3
input channels; BasicSR's x2 takes 12 (the input is pixel-unshuffled by 2; it builds
``x2_layout=unshuffle``); any other factor (BasicSR's x1 takes 48) is a one-line error.
Weights go onto the inference network (the EMA of G when ``ema_decay`` > 0), and all
convs map one to one (no permutation).
"""
from __future__ import annotations

import re

from cgtk import CgtkError
from cgtk.importing import Slot, WeightImporter

BASICSR_SOURCE = ("xinntao/Real-ESRGAN releases (RealESRGAN_x4plus.pth, RealESRNet_x4plus.pth, "
                  "RealESRGAN_x2plus.pth, ...) and the XPixelGroup/BasicSR model zoo "
                  "(ESRGAN_SRx4_DF2KOST_official-ff704c30.pth, ...)")
ESRGAN_SOURCE = "xinntao/ESRGAN: RRDB_ESRGAN_x4.pth, RRDB_PSNR_x4.pth (README links)"
#: conv_first input channels (3 colour channels) -> the scale: BasicSR's RRDBNet
#: pixel-unshuffles the input by 4 / scale for scales below 4.
IN_CHANNELS = {3: 4, 12: 2, 48: 1}


def _blocks(tensors, pattern) -> list[int]:
    return sorted({int(m.group(1)) for k in tensors if (m := re.match(pattern, k))})


def _refuse(tensors, key: str, what: str) -> None:
    shape = tuple(int(d) for d in tensors[key].shape)
    raise CgtkError(f"{key} {shape}: {what}; cgtk imports x4 and x2 RGB RRDBNet weights only",
                    hint="use an x4 or x2 file, e.g. RealESRGAN_x4plus.pth or "
                    "RealESRGAN_x2plus.pth")


def _common(tensors, first: str, rdb1_conv1: str, up3: str, scales) -> dict | None:
    """n_feats, growth, scale from conv_first and the first dense conv (None: not an
    RRDBNet of this naming); a scale outside ``scales`` is a one-line error."""
    w, g = tensors.get(first), tensors.get(rdb1_conv1)
    if w is None or g is None or w.ndim != 4 or g.ndim != 4:
        return None
    cin = int(w.shape[1])
    if up3 in tensors:
        _refuse(tensors, up3, "a third upsampling stage (an x8 RRDBNet)")
    if cin not in IN_CHANNELS:
        _refuse(tensors, first, f"{cin} input channels (RGB RRDBNets take 3, or 12 / 48 "
                "after pixel-unshuffle)")
    scale = IN_CHANNELS[cin]
    if scale not in scales:
        _refuse(tensors, first, f"{cin} input channels: an x{scale} RRDBNet")
    return {"n_feats": int(w.shape[0]), "growth": int(g.shape[0]), "scale": scale}


def _basicsr_options(tensors):
    if "conv_body.weight" not in tensors or "conv_up2.weight" not in tensors:
        return None
    found = _common(tensors, "conv_first.weight", "body.0.rdb1.conv1.weight",
                    "conv_up3.weight", (2, 4))
    if found is None:
        return None
    found["n_blocks"] = len(_blocks(tensors, r"body\.(\d+)\.rdb1\.conv1\.weight$"))
    found["upsample_skip"] = "none"
    if found["scale"] == 2:
        found["x2_layout"] = "unshuffle"
    return found


def _esrgan_options(tensors):
    if "model.0.weight" not in tensors or "model.10.weight" not in tensors:
        return None
    found = _common(tensors, "model.0.weight", "model.1.sub.0.RDB1.conv1.0.weight",
                    "model.13.weight", (4,))
    if found is None:
        return None
    found["n_blocks"] = len(_blocks(tensors, r"model\.1\.sub\.(\d+)\.RDB1\.conv1\.0\.weight$"))
    found["upsample_skip"] = "none"
    return found


def _basicsr_key(layer: str) -> str:
    """The BasicSR module prefix of a Keras RRDBNet conv layer (``body_3_rdb2_conv5`` ->
    ``body.3.rdb2.conv5``)."""
    m = re.match(r"^body_(\d+)_rdb(\d)_conv(\d)$", layer)
    return f"body.{m[1]}.rdb{m[2]}.conv{m[3]}" if m else layer


def _esrgan_key(layer: str, n_blocks: int) -> str:
    """The ESRGAN-repository prefix of the same layer."""
    m = re.match(r"^body_(\d+)_rdb(\d)_conv(\d)$", layer)
    if m:
        return f"model.1.sub.{m[1]}.RDB{m[2]}.conv{m[3]}.0"
    return {"conv_first": "model.0", "conv_body": f"model.1.sub.{n_blocks}",
            "conv_up1": "model.3", "conv_up2": "model.6", "conv_hr": "model.8",
            "conv_last": "model.10"}[layer]


def _convs(network):
    import keras

    return [la for la in network.layers if isinstance(la, keras.layers.Conv2D)]


def _basicsr_slots(network, config, tensors):
    return [Slot(_basicsr_key(la.name), la) for la in _convs(network)]


def _esrgan_slots(network, config, tensors):
    return [Slot(_esrgan_key(la.name, config.n_blocks), la) for la in _convs(network)]


def _notes(config):
    notes = []
    if getattr(config, "x2_layout", "stage") == "unshuffle" and config.scale == 2:
        notes.append("x2 RRDBNet (BasicSR layout): built with x2_layout=unshuffle; inputs "
                     "are padded to even sizes")
    return notes


def reference_weights(model_cls):
    return [
        WeightImporter(name="BasicSR RRDBNet", source=BASICSR_SOURCE,
                       options=_basicsr_options, slots=_basicsr_slots, notes=_notes),
        WeightImporter(name="ESRGAN-repository RRDBNet (model.N naming)",
                       source=ESRGAN_SOURCE, options=_esrgan_options, slots=_esrgan_slots,
                       notes=_notes),
    ]
