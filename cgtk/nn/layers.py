"""Small custom layers shared by the networks.

>>> import numpy as np
>>> from cgtk.nn import AlwaysDropout
>>> y = AlwaysDropout(0.5, seed=1)(np.ones((1, 4, 4, 8), "float32"), training=False)
>>> sorted(set(np.asarray(y).ravel().tolist()))  # dropped, or scaled by 1 / (1 - rate)
[0.0, 2.0]
"""
from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="cgtk")
class AlwaysDropout(keras.layers.Layer):
    """Dropout that stays on at inference: ``training`` is ignored.

    pix2pix uses dropout as its noise source and keeps it on at test time
    (Isola et al. 2017, section 3.1). Units are zeroed with probability
    ``rate`` and the rest scaled by ``1 / (1 - rate)``, as in
    ``keras.layers.Dropout``. Seeded layers are reproducible from the seed;
    the random state lives in a ``keras.random.SeedGenerator``, so the layer works
    inside compiled/jitted steps on every backend.

    >>> import numpy as np
    >>> layer = AlwaysDropout(0.25)
    >>> tuple(layer(np.ones((2, 3), "float32")).shape)
    (2, 3)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if self.rate == 0:
            return inputs
        return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
