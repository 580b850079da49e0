"""``cgtk plugins show``'s network table (cgtk.engine.summary): every network a plugin
holds is listed, a trainable keras Layer too (CUT's patch sampler F is one, not a Model),
and networks made of another's layers say whose weights they are."""
import math

import keras
from cgtk_cut.model import CUT

from cgtk.engine.summary import held_networks, network_summaries

TINY = dict(ngf=8, ndf=8, n_blocks=2, image_size=32, num_patches=16, netF_nc=16,
            nce_layers=(0, 4, 8, 10))


def test_cut_lists_its_feature_networks_and_the_patch_sampler():
    config = CUT.Config(**TINY)
    rows = {r["name"]: r for r in network_summaries(CUT, config)}
    assert list(rows) == ["G", "G_features", "G_encoder", "F", "D"]
    assert rows["G"]["role"] == "inference: a2b"
    assert rows["G_features"]["role"] == rows["G_encoder"]["role"] == "training, G's weights"
    assert rows["F"]["role"] == rows["D"]["role"] == "training"
    model = CUT(config)
    assert not isinstance(model.F, keras.Model)  # why networks() alone missed it
    f_params = sum(math.prod(w.shape) for w in model.F.trainable_weights)
    assert rows["F"]["params"] == f_params > 0
    assert rows["G_features"]["params"] == rows["G"]["params"]
    # G_features returns the image and one feature map per NCE layer
    assert rows["G_features"]["output"] == f"?x?x3 (+{len(TINY['nce_layers'])} more)"


def test_held_networks_skip_private_untrained_and_repeated_layers():
    class Holder:
        def __init__(self):
            inp = keras.Input((4,))
            self.net = keras.Model(inp, keras.layers.Dense(2)(inp))
            self.alias = self.net                   # the same network twice: listed once
            self.head = keras.layers.Dense(3)
            self.head.build((None, 2))
            self.frozen = keras.layers.Dense(3)
            self.frozen.build((None, 2))
            self.frozen.trainable = False            # no trainable weights: not a network
            self._private = keras.layers.Dense(1)
            self._private.build((None, 2))

        def networks(self):
            return {"net": self.net}

    assert list(held_networks(Holder())) == ["net", "head"]
