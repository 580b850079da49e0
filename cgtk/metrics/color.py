"""Pixel conversions for evaluation: cgtk floats to uint8, and RGB to BT.601 luma (Y).

>>> import numpy as np
>>> to_uint8(np.array([-1.0, 0.0, 1.0])).tolist()
[0, 128, 255]
>>> [round(float(v), 3) for v in rgb_to_y(np.array([[0, 0, 0], [255, 255, 255]], "uint8"))]
[16.0, 235.0]
"""
from __future__ import annotations

import numpy as np

#: MATLAB ``rgb2ycbcr`` (ITU-R BT.601) luma row, for R, G, B in [0, 1]; Y in [16, 235].
BT601_Y = (65.481, 128.553, 24.966)
BT601_Y_OFFSET = 16.0


def to_uint8(images) -> np.ndarray:
    """Quantise images to uint8, the way they would be saved as PNG.

    * uint8 arrays pass through unchanged;
    * float arrays are cgtk images in [-1, 1]: ``round((x + 1) * 127.5)``, clipped
      to [0, 255] (``np.round`` rounds halves to even; exact halves do not occur
      for real network outputs).

    Other integer types are clipped to [0, 255]. Accepts anything ``np.asarray`` takes.
    """
    x = np.asarray(images)
    if x.dtype == np.uint8:
        return x
    if np.issubdtype(x.dtype, np.integer) or x.dtype == bool:
        return np.clip(x, 0, 255).astype(np.uint8)
    x = np.round((x.astype(np.float64) + 1.0) * 127.5)
    return np.clip(x, 0, 255).astype(np.uint8)


def rgb_to_y(rgb) -> np.ndarray:
    """Luma Y (float64, [16, 235]) of uint8 RGB images ``[..., 3]``, as MATLAB's rgb2ycbcr.

    ``Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255`` with R, G, B in 0..255.
    Y is kept as a float (MATLAB's ``rgb2ycbcr`` on uint8 input would round it;
    most Python SR codebases, e.g. BasicSR, keep the float as here). Float input
    is first quantised with :func:`to_uint8`.
    """
    rgb = to_uint8(rgb).astype(np.float64) / 255.0
    if rgb.shape[-1] != 3:
        raise ValueError(f"expected RGB images [..., 3], got shape {rgb.shape}")
    return BT601_Y_OFFSET + rgb @ np.asarray(BT601_Y, dtype=np.float64)
