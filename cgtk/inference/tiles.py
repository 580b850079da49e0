"""Any input size: reflection padding to the network's multiple, and overlapping tiles.

* :func:`pad_to_multiple` reflects the bottom/right borders up to a multiple of ``m``;
  the output is cropped back to ``scale x`` the original size.
* :func:`tiled_apply` runs a network on overlapping tiles of a (padded) image and blends
  them with a flat-topped raised-cosine (Tukey/Hann-edged) window, normalised by the
  accumulated weights. Each tile's window is **zero** on its outer ``overlap // 4``
  pixels next to a neighbouring tile, rises as a half Hann over the next
  ``overlap - 2 * (overlap // 4)`` pixels and is 1 inside; at the image's own borders it
  stays 1. Two neighbours' ramps sum to 1, so the blend is a partition of unity. Tiles
  start at multiples of the network's ``multiple``, so a fully-convolutional network whose
  receptive-field radius is at most ``overlap // 4`` input pixels gives *the same* output
  tiled as untiled, up to float rounding (tests check 1e-4 on [-1, 1] outputs).
  Networks with a larger receptive field (U-Nets see the whole image) blend seamlessly
  but differ slightly from the untiled output.

>>> import numpy as np
>>> x = np.random.default_rng(0).uniform(-1, 1, (37, 50, 3)).astype("float32")
>>> y = tiled_apply(lambda b: b * 2.0, x, tile=16, overlap=8)
>>> bool(np.allclose(y, x * 2.0, atol=1e-6))
True
"""
from __future__ import annotations

import numpy as np

from cgtk.errors import CgtkError


def round_up(n: int, m: int) -> int:
    return -(-int(n) // int(m)) * int(m)


def pad_to_multiple(x: np.ndarray, multiple: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Reflect-pad ``[..., H, W, C]`` at the bottom/right to multiples of ``multiple``.

    Returns the padded array and the original ``(H, W)``. Images smaller than the pad
    are reflected repeatedly (``np.pad`` ``reflect``); one-pixel sides are repeated.
    """
    h, w = x.shape[-3], x.shape[-2]
    m = max(1, int(multiple))
    ph, pw = round_up(h, m) - h, round_up(w, m) - w
    if ph == 0 and pw == 0:
        return x, (h, w)
    widths = [(0, 0)] * (x.ndim - 3) + [(0, ph), (0, pw), (0, 0)]
    mode = "reflect" if min(h, w) > 1 else "edge"
    return np.pad(x, widths, mode=mode), (h, w)


def tile_starts(size: int, tile: int, step: int) -> list[int]:
    """Start offsets along one axis: every ``step``, the last tile flush with the end."""
    if size <= tile:
        return [0]
    starts = list(range(0, size - tile, step))
    if starts[-1] != size - tile:
        starts.append(size - tile)
    return starts


def axis_window(length: int, first: bool, last: bool, overlap: int) -> np.ndarray:
    """1-D blending weights of one tile ``length`` long (output pixels)."""
    w = np.ones(length, np.float64)
    q = overlap // 4
    ramp = overlap - 2 * q
    if ramp <= 0:
        return w
    rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp)
    if not first:
        w[:q] = 0.0
        w[q:q + ramp] = rise
    if not last:
        w[length - q:] = 0.0
        w[length - q - ramp:length - q] = np.minimum(w[length - q - ramp:length - q],
                                                     rise[::-1])
    return w


def plan_tiles(height: int, width: int, tile: int, overlap: int, multiple: int = 1):
    """Tile size and start offsets for an image already padded to ``multiple``.

    The tile is rounded up to ``multiple``; the step (tile - overlap) down to it, so
    every tile starts at a multiple of the network's downsampling.
    """
    m = max(1, int(multiple))
    tile = round_up(max(int(tile), m), m)
    if overlap < 0 or overlap >= tile:
        raise CgtkError(f"--overlap {overlap} must be at least 0 and smaller than --tile "
                        f"{tile}")
    step = max(m, (tile - int(overlap)) // m * m)
    return tile, tile_starts(height, tile, step), tile_starts(width, tile, step)


def tiled_apply(fn, image: np.ndarray, *, tile: int, overlap: int, multiple: int = 1,
                scale: int = 1, batch_size: int = 1) -> np.ndarray:
    """``fn`` on overlapping tiles of ``image`` ``[H, W, C]``, blended; output ``[sH, sW, C']``.

    ``fn`` maps a batch ``[B, t, t, C]`` to ``[B, s t, s t, C']``. ``image`` is padded to
    ``multiple`` first and the result cropped back to ``scale`` times its size.
    """
    padded, (h, w) = pad_to_multiple(image, multiple)
    hp, wp = padded.shape[:2]
    tile_size, ys, xs = plan_tiles(hp, wp, tile, overlap, multiple)
    th, tw = min(tile_size, hp), min(tile_size, wp)
    s = int(scale)
    out = weights = None
    boxes = [(y, x) for y in ys for x in xs]
    # the blending overlap of each axis is the smallest actual overlap of neighbours
    ov_y = min((th - (b - a) for a, b in zip(ys, ys[1:], strict=False)), default=0)
    ov_x = min((tw - (b - a) for a, b in zip(xs, xs[1:], strict=False)), default=0)
    ov_y, ov_x = min(ov_y, int(overlap)), min(ov_x, int(overlap))
    ov_y = max(ov_y, 0) if len(ys) > 1 else 0
    ov_x = max(ov_x, 0) if len(xs) > 1 else 0
    for i in range(0, len(boxes), max(1, int(batch_size))):
        chunk = boxes[i:i + max(1, int(batch_size))]
        batch = np.stack([padded[y:y + th, x:x + tw] for y, x in chunk])
        result = np.asarray(fn(batch), np.float32)
        if out is None:
            out = np.zeros((hp * s, wp * s, result.shape[-1]), np.float64)
            weights = np.zeros((hp * s, wp * s, 1), np.float64)
        for (y, x), r in zip(chunk, result, strict=True):
            if r.shape[0] != th * s or r.shape[1] != tw * s:
                raise CgtkError(f"the network maps a {th}x{tw} tile to {r.shape[0]}x"
                                f"{r.shape[1]}, not {th * s}x{tw * s} (scale {s})")
            wy = axis_window(th * s, y == ys[0], y == ys[-1], ov_y * s)
            wx = axis_window(tw * s, x == xs[0], x == xs[-1], ov_x * s)
            wgt = (wy[:, None] * wx[None, :])[..., None]
            out[y * s:(y + th) * s, x * s:(x + tw) * s] += r * wgt
            weights[y * s:(y + th) * s, x * s:(x + tw) * s] += wgt
    if weights.min() <= 0:  # cannot happen with the windows above; a bug if it does
        raise RuntimeError("tile blending left pixels without weight")
    return (out / weights)[:h * s, :w * s].astype(np.float32)


def tile_count(height: int, width: int, tile: int, overlap: int, multiple: int = 1) -> int:
    """How many tiles :func:`tiled_apply` runs for an ``height x width`` image."""
    hp, wp = round_up(height, multiple), round_up(width, multiple)
    _, ys, xs = plan_tiles(hp, wp, tile, overlap, multiple)
    return len(ys) * len(xs)


__all__ = ["axis_window", "pad_to_multiple", "plan_tiles", "round_up", "tile_count",
           "tile_starts", "tiled_apply"]


def _layers(model):
    for layer in getattr(model, "layers", []):
        yield layer
        yield from _layers(layer)


def tile_caveat(model) -> str | None:
    """Why tiles of ``model`` cannot equal a whole-image pass, or None if they can.

    Instance normalisation (``GroupNormalization(groups=-1)``, CycleGAN and style
    networks) normalises each tile with that tile's own statistics, so tiled output
    differs from a whole-image pass; blending still hides the seams.
    """
    for layer in _layers(model):
        name = type(layer).__name__
        if name == "GroupNormalization" or "InstanceNorm" in name:
            return ("this network uses instance normalisation: each tile is normalised "
                    "with its own statistics, so tiled output differs from a whole-image "
                    "pass (seams are blended away); prefer no --tile when the image fits")
    return None
