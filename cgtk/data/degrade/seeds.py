"""Stateless seeds: one ``[2]`` int seed, folded with a counter for every draw."""
from __future__ import annotations

import tensorflow as tf


class Seeds:
    """``next()`` gives a fresh stateless seed derived from ``seed`` and a counter."""

    def __init__(self, seed):
        self.seed = tf.cast(tf.convert_to_tensor(seed), tf.int64)
        self.n = 0

    def next(self):
        self.n += 1
        return tf.random.experimental.stateless_fold_in(self.seed, self.n)

    def uniform(self, low=0.0, high=1.0, shape=()):
        return tf.random.stateless_uniform(shape, self.next(), float(low), float(high))

    def coin(self, p: float):
        return self.uniform() < float(p)

    def choice(self, probs) -> tf.Tensor:
        """An index drawn with probabilities ``probs`` (int32 scalar)."""
        logits = tf.math.log(tf.constant([max(float(p), 1e-12) for p in probs]))[None]
        return tf.cast(tf.random.stateless_categorical(logits, 1, self.next())[0, 0], tf.int32)
