"""Evaluation metrics: PSNR/SSIM under the SR protocol, bicubic baseline, FID/KID.

Names are imported lazily, so ``from cgtk.metrics import frechet_distance`` does not
import TensorFlow or Keras. See ``docs/metrics.md``.

>>> from cgtk.metrics import Protocol
>>> Protocol.sr(4).crop_border
4
"""
import importlib

_NAMES = {
    "to_uint8": "color", "rgb_to_y": "color",
    "Protocol": "protocol",
    "psnr": "sr", "ssim": "sr", "evaluate_sr": "sr", "SRResult": "sr",
    "modcrop": "bicubic", "bicubic_downscale": "bicubic", "bicubic_upscale": "bicubic",
    "bicubic_baseline": "bicubic", "load_images": "bicubic",
    "frechet_distance": "fid", "feature_stats": "fid", "fid_from_features": "fid",
    "kid": "fid", "polynomial_mmd2": "fid", "FIDResult": "fid", "fid_kid": "fid",
    "InceptionFeatures": "inception", "compute_fid": "inception",
    "INCEPTION_WEIGHTS": "inception",
}

__all__ = sorted(_NAMES)


def __getattr__(name):
    if name not in _NAMES:
        raise AttributeError(f"module 'cgtk.metrics' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cgtk.metrics.{_NAMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_NAMES))
