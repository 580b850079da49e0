import time

import numpy as np

from cgtk.data.demo import COUNTS, demo_split, demo_style_image


def test_demo_is_deterministic_per_seed_and_splits_differ():
    for kind in ("unpaired", "paired", "single", "style"):
        first = demo_split(kind, "test", 32, count=4)
        from cgtk.data.demo import _generate
        again = _generate(kind, "test", 32, 4)  # bypass the per-process cache
        assert first.keys() == again.keys()
        for role in first:
            np.testing.assert_array_equal(first[role], again[role])
        other = _generate(kind, "train", 32, 4)
        role = next(iter(first))
        assert not np.array_equal(first[role], other[role]), kind


def test_demo_counts_and_shapes():
    data = demo_split("unpaired", "train")
    assert data["A"].shape == (COUNTS["train"], 64, 64, 3)
    assert demo_split("single", "test")["HR"].shape == (COUNTS["test"], 128, 128, 3)
    assert demo_style_image(64).shape == (64, 64, 3)


def test_unpaired_domains_differ_in_colour():
    data = demo_split("unpaired", "test", 64)
    day, night = data["A"].astype(float), data["B"].astype(float)
    assert day.mean() > night.mean() + 60
    # night is blue-dominated and dark, day has green ground
    assert night[..., 2].mean() > night[..., 0].mean()


def test_paired_edges_match_shapes():
    data = demo_split("paired", "test", 64)
    edges, filled = data["A"].astype(int), data["B"].astype(int)
    edge_mask = edges[..., 0] == 0
    assert edge_mask.any()
    # where the edge map is blank, neighbouring target pixels rarely change colour
    inner = ~edge_mask
    change = np.abs(np.diff(filled, axis=2)).sum(-1) > 0
    assert (change & inner[:, :, 1:]).mean() < 0.01


def test_generation_is_fast():
    from cgtk.data.demo import _generate

    start = time.perf_counter()
    for kind in ("unpaired", "paired", "style"):
        _generate(kind, "train", 64, COUNTS["train"])
    assert time.perf_counter() - start < 5.0  # < 1 s each on a normal core; CI headroom
