"""Procedural demo data for every kind: no files, no network, deterministic for a seed.

Each task is chosen so a small model visibly learns it within minutes on a CPU at 64x64:

* ``unpaired``: day scenes (A) <-> night scenes (B). Day: blue sky, yellow sun, green
  ground, light buildings with dark windows. Night: navy sky, stars, a pale moon, dark
  ground, dark buildings with lit yellow windows. The domains differ clearly in colour.
* ``paired``: edge maps (A: black outlines on white) -> filled shapes (B: circles red,
  squares blue, triangles green, on light grey), like edges2shoes.
* ``single``: 128 px HR textures with fine detail (gratings, checkerboards, rings, sharp
  shapes) for super-resolution.
* ``style``: day scenes as content, plus a bold swirl of coloured stripes as the style.

The ``train`` split has 200 images per domain (seed 0), ``test`` 16 (seed 1).

>>> a = demo_split("unpaired", "train", 32, count=2)["A"]
>>> a.shape, a.dtype.name
((2, 32, 32, 3), 'uint8')
>>> bool((demo_split("paired", "test", 32)["B"] == demo_split("paired", "test", 32)["B"]).all())
True
"""
from __future__ import annotations

import functools

import numpy as np

COUNTS = {"train": 200, "test": 16}
"""Images per domain in each demo split."""

SPLIT_SEEDS = {"train": 0, "test": 1}
_KIND_IDS = {"unpaired": 11, "paired": 12, "single": 13, "style": 14}
DEFAULT_SIZE = {"unpaired": 64, "paired": 64, "single": 128, "style": 64}
"""The demo image size used unless the training crop needs larger images."""


def _grid(size: int):
    coords = (np.arange(size, dtype=np.float32) + 0.5) / size
    return np.meshgrid(coords, coords, indexing="ij")  # yy, xx in (0, 1)


def _lerp(c0, c1, t):
    c0, c1 = np.asarray(c0, np.float32), np.asarray(c1, np.float32)
    return c0 + (c1 - c0) * t[..., None]


def _scene(rng, size: int, night: bool) -> np.ndarray:
    """One day or night scene as float32 [H, W, 3] in 0..255."""
    yy, xx = _grid(size)
    horizon = rng.uniform(0.55, 0.75)
    jitter = rng.uniform(-15, 15, 3)
    if night:
        top, bottom = np.array([5, 10, 40]) + jitter * 0.3, np.array([30, 40, 90]) + jitter * 0.5
        ground0, ground1 = (25, 35, 30), (8, 14, 12)
    else:
        top, bottom = np.array([60, 120, 215]) + jitter, np.array([185, 215, 245]) + jitter * 0.5
        ground0, ground1 = (95, 170, 70), (45, 110, 40)
    t_sky = np.clip(yy / horizon, 0, 1)
    img = _lerp(top, bottom, t_sky)
    ground = _lerp(ground0, ground1, np.clip((yy - horizon) / (1 - horizon), 0, 1))
    img = np.where((yy >= horizon)[..., None], ground, img)
    sky = yy < horizon
    if night:
        stars = (rng.random((size, size)) < 0.012) & sky
        img[stars] = rng.uniform(190, 255, (int(stars.sum()), 1))
    # sun or moon
    cy, cx = rng.uniform(0.1, horizon * 0.6), rng.uniform(0.1, 0.9)
    radius = rng.uniform(0.06, 0.1)
    dist = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
    if night:
        disk = (dist < radius) & (np.sqrt((yy - cy + radius * 0.3) ** 2
                                          + (xx - cx - radius * 0.45) ** 2) > radius * 0.85)
        img[disk] = (235, 235, 205)
    else:
        glow = np.clip(1 - (dist - radius) / (radius * 1.5), 0, 1) * sky
        img = img + glow[..., None] * np.array([60, 50, 0], np.float32)
        img[dist < radius] = (255, 228, 70)
    # buildings standing on the horizon
    for _ in range(rng.integers(2, 6)):
        x0 = rng.uniform(-0.05, 0.85)
        w = rng.uniform(0.08, 0.22)
        h = rng.uniform(0.12, 0.4)
        body = (xx >= x0) & (xx < x0 + w) & (yy >= horizon - h) & (yy < horizon + 0.02)
        if night:
            colour = np.array([28, 28, 45]) + rng.uniform(-8, 8, 3)
        else:
            colour = np.array([200, 180, 150]) + rng.uniform(-45, 45, 3)
        img[body] = colour
        period = rng.uniform(0.045, 0.07)
        wy = ((yy - (horizon - h)) / period) % 1.0
        wx = ((xx - x0) / period) % 1.0
        window = (body & (wy > 0.35) & (wy < 0.8) & (wx > 0.3) & (wx < 0.75)
                  & (yy > horizon - h + period * 0.5) & (yy < horizon - period * 0.3))
        if night:
            cells = (np.floor((yy - horizon + h) / period) * 31
                     + np.floor((xx - x0) / period) * 17).astype(np.int64)
            lit = rng.random(64) < 0.55
            window &= lit[cells % 64]
            img[window] = (255, 210, 90)
        else:
            img[window] = (60, 70, 90)
    return img


def _shapes(rng, size: int) -> tuple[np.ndarray, np.ndarray]:
    """An edge map (A) and the filled shapes (B), float32 [H, W, 3] in 0..255."""
    yy, xx = _grid(size)
    labels = np.zeros((size, size), np.int32)
    colours = [np.array([235, 235, 235], np.float32)]
    base = {0: (220, 60, 50), 1: (50, 90, 210), 2: (60, 170, 80)}
    for i in range(rng.integers(2, 5)):
        kind = int(rng.integers(0, 3))
        cy, cx = rng.uniform(0.2, 0.8, 2)
        r = rng.uniform(0.1, 0.22)
        if kind == 0:
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2
        elif kind == 1:
            mask = (np.abs(yy - cy) < r * 0.85) & (np.abs(xx - cx) < r * 0.85)
        else:
            top = cy - r
            mask = (yy > top) & (yy < cy + r * 0.8) & (np.abs(xx - cx) < (yy - top) * 0.6)
        labels[mask] = i + 1
        colours.append(np.asarray(base[kind], np.float32) + rng.uniform(-10, 10, 3))
    filled = np.stack(colours)[labels]
    edge = np.zeros((size, size), bool)
    for axis in (0, 1):
        diff = labels != np.roll(labels, 1, axis=axis)
        edge |= diff | np.roll(diff, -1, axis=axis)
    edges = np.where(edge[..., None], 0.0, 255.0) * np.ones(3, np.float32)
    return edges, filled


def _texture(rng, size: int) -> np.ndarray:
    """A texture with fine detail, float32 [H, W, 3] in 0..255."""
    yy, xx = _grid(size)
    c1, c2 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    angle = rng.uniform(0, np.pi)
    freq = rng.uniform(4, 24)
    wave = 0.5 + 0.5 * np.sin(2 * np.pi * freq * (np.cos(angle) * xx + np.sin(angle) * yy))
    img = _lerp(c1, c2, wave.astype(np.float32))
    for _ in range(rng.integers(3, 7)):
        cy, cx = rng.uniform(0, 1, 2)
        r = rng.uniform(0.08, 0.3)
        if rng.random() < 0.5:
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2
        else:
            mask = (np.abs(yy - cy) < r) & (np.abs(xx - cx) < r * rng.uniform(0.4, 1))
        style = rng.integers(0, 3)
        colour_a, colour_b = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        if style == 0:  # checkerboard of 2..6 px cells
            period = rng.integers(2, 7) / size
            t = ((np.floor(yy / period) + np.floor(xx / period)) % 2).astype(np.float32)
        elif style == 1:  # rings
            t = (0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(10, 30)
                                    * np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)))
        else:
            t = np.zeros_like(yy)
        img[mask] = _lerp(colour_a, colour_b, t.astype(np.float32))[mask]
    return img


def demo_style_image(size: int = 256) -> np.ndarray:
    """The demo style: bold swirling stripes in four colours, uint8 ``[size, size, 3]``."""
    yy, xx = _grid(size)
    dy, dx = yy - 0.5, xx - 0.5
    theta = np.arctan2(dy, dx)
    radius = np.sqrt(dy ** 2 + dx ** 2)
    v = np.sin(5 * theta + 18 * radius) + 0.4 * np.sin(40 * radius)
    band = np.clip(((v + 1.4) / 2.8 * 4).astype(np.int64), 0, 3)
    palette = np.array([[20, 40, 140], [240, 140, 20], [250, 220, 40], [190, 20, 50]], np.uint8)
    return palette[band]


def demo_split(kind: str, split: str, size: int | None = None, *,
               count: int | None = None) -> dict[str, np.ndarray]:
    """The demo images of ``kind`` for ``split`` ("train" or "test"), as uint8 arrays.

    Returns ``{"A": [N,H,W,3], "B": ...}`` (unpaired, paired), ``{"HR": ...}`` (single)
    or ``{"content": ...}`` (style). Deterministic: the same call gives the same pixels.
    Results are cached per process (the arrays are read-only).
    """
    size = int(size or DEFAULT_SIZE[kind])
    count = int(count or COUNTS.get(split, COUNTS["test"]))
    return dict(_demo_split(kind, split, size, count))


@functools.lru_cache(maxsize=16)
def _demo_split(kind: str, split: str, size: int, count: int):
    result = _generate(kind, split, size, count)
    for array in result.values():
        array.setflags(write=False)
    return tuple(result.items())


def _generate(kind: str, split: str, size: int, count: int) -> dict[str, np.ndarray]:
    seed = SPLIT_SEEDS.get(split, 1)

    def rng(stream):
        return np.random.default_rng([seed, _KIND_IDS[kind], stream])

    def stack(images):
        return np.clip(np.round(np.stack(images)), 0, 255).astype(np.uint8)

    if kind == "unpaired":
        ra, rb = rng(0), rng(1)
        return {"A": stack([_scene(ra, size, False) for _ in range(count)]),
                "B": stack([_scene(rb, size, True) for _ in range(count)])}
    if kind == "paired":
        r = rng(0)
        pairs = [_shapes(r, size) for _ in range(count)]
        return {"A": stack([p[0] for p in pairs]), "B": stack([p[1] for p in pairs])}
    if kind == "single":
        r = rng(0)
        return {"HR": stack([_texture(r, size) for _ in range(count)])}
    if kind == "style":
        r = rng(0)
        return {"content": stack([_scene(r, size, bool(r.random() < 0.3))
                                  for _ in range(count)])}
    raise ValueError(f"unknown data kind {kind!r}")
