"""``PatchSampleF``: CUT's patch sampler and projection head (reference
``models/networks.py`` ``PatchSampleF`` with ``--netF mlp_sample``).

For each generator feature map ``[B, H, W, C]`` it picks ``num_patches`` random spatial
positions (one set per layer, **the same positions for every image of the batch**, as the
reference), gathers the ``C``-vectors there, passes them through that layer's two-layer
MLP (``C -> units``, ReLU, ``units -> units``) and L2-normalises each row
(``x / (||x|| + 1e-7)``). The result per layer is ``[B * n, units]``, batch-major.
Positions are returned so the same ones can be read from the translated image's
features: ``F(feat_k)`` samples, ``F(feat_q, patch_ids=ids)`` reuses.

**Lazy build**: the MLP weights are created by :meth:`build` from the channel counts of
the first feature list the layer sees, as the reference creates its MLPs on the first
forward pass (``create_mlp``, ``data_dependent_initialize``). The weights depend only on
those counts, not on the data's values (they are drawn from the init scheme). CUT calls
``build`` as soon as its generator exists, because the engine builds each phase's
optimizer on every trainable variable before the first step (a jitted JAX step cannot
create variables).

**More patches than positions**: a layer with fewer than ``num_patches`` positions
(small crops) gives all its positions, in random order, and the layer warns once per
feature layer; the reference clamps the same way, silently.

>>> import numpy as np
>>> f = PatchSampleF(units=8, num_patches=4, seed=0)
>>> feats = [np.ones((2, 5, 5, 3), "float32"), np.ones((2, 3, 3, 6), "float32")]
>>> out, ids = f(feats)
>>> [tuple(o.shape) for o in out], [tuple(i.shape) for i in ids]
([(8, 8), (8, 8)], [(4,), (4,)])
"""
from __future__ import annotations

import warnings

import keras
from keras import ops

from cgtk import nn

L2_EPS = 1e-7  # reference Normalize: x / (||x||_2 + 1e-7)


def l2_normalize(x):
    """Rows divided by their L2 norm + 1e-7, as the reference's ``Normalize(2)``."""
    norm = ops.sqrt(ops.sum(ops.square(x), axis=-1, keepdims=True))
    return x / (norm + L2_EPS)


class PatchSampleF(keras.layers.Layer):
    """Random patch sampling + per-layer MLP + L2 norm (see the module docstring).

    Args:
        units: MLP width (the reference's ``netF_nc``, 256).
        num_patches: positions sampled per layer (256).
        init, init_gain: weight init of the MLP's kernels (biases zero), as
            :func:`cgtk.nn.initializer` (the reference: ``init_type``, ``init_gain``).
        seed: seed of the initial weights and of the position sampling.
    """

    def __init__(self, units: int = 256, num_patches: int = 256, init: str = "xavier",
                 init_gain: float = 0.02, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if units < 1 or num_patches < 1:
            raise ValueError(f"units and num_patches must be >= 1, got {units}, {num_patches}")
        self.units = int(units)
        self.num_patches = int(num_patches)
        self.init = init
        self.init_gain = float(init_gain)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.mlp_weights: list = []
        self._warned: set = set()

    def build(self, features_shape, patch_ids_shape=None):
        """Create one MLP per feature layer from the feature channel counts."""
        if self.built:
            return
        weights = []
        count = 0
        for i, shape in enumerate(features_shape):
            channels = int(shape[-1])
            layer = []
            for j, (fan_in, fan_out) in enumerate(((channels, self.units),
                                                   (self.units, self.units))):
                seed = None if self.seed is None else int(self.seed) + 1 + count
                count += 1
                layer.append(self.add_weight(
                    shape=(fan_in, fan_out), name=f"mlp_{i}_{j}_kernel",
                    initializer=nn.initializer(self.init, self.init_gain, seed)))
                layer.append(self.add_weight(shape=(fan_out,), name=f"mlp_{i}_{j}_bias",
                                             initializer="zeros"))
            weights.append(layer)
        self.mlp_weights = weights
        self.built = True

    def positions(self, spatial_size: int, layer: int) -> int:
        """How many positions a layer of ``spatial_size`` (H * W) gives; warns if clamped."""
        if spatial_size < self.num_patches and layer not in self._warned:
            self._warned.add(layer)
            warnings.warn(f"PatchNCE: feature layer {layer} has only {spatial_size} "
                          f"positions, fewer than num_patches={self.num_patches}; using all "
                          f"{spatial_size} (a larger --image-size or a smaller --set "
                          "num_patches avoids this)", stacklevel=2)
        return min(self.num_patches, spatial_size)

    def sample_ids(self, features) -> list:
        """One random set of distinct flat positions (int32) per feature layer."""
        ids = []
        for i, feat in enumerate(features):
            size = int(feat.shape[1]) * int(feat.shape[2])
            n = self.positions(size, i)
            order = ops.argsort(keras.random.uniform((size,), seed=self.seed_generator))
            ids.append(ops.cast(order[:n], "int32"))
        return ids

    def call(self, features, patch_ids=None):
        """``(samples, patch_ids)``: per layer ``[B * n, units]`` rows, and the positions."""
        if patch_ids is None:
            patch_ids = self.sample_ids(features)
        out = []
        for feat, ids, (w1, b1, w2, b2) in zip(features, patch_ids, self.mlp_weights):
            batch, channels = feat.shape[0], feat.shape[-1]
            flat = ops.reshape(feat, (batch, -1, channels))
            rows = ops.reshape(ops.take(flat, ids, axis=1), (-1, channels))
            hidden = ops.relu(ops.matmul(rows, w1) + b1)
            out.append(l2_normalize(ops.matmul(hidden, w2) + b2))
        return out, list(patch_ids)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "num_patches": self.num_patches,
                "init": self.init, "init_gain": self.init_gain, "seed": self.seed}
