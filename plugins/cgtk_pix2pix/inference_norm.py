"""pix2pix's test-time batch norm: the statistics of the test image itself.

Isola et al. 2017 (Sec. 3.3): "we apply batch normalization using the statistics of
the test batch, rather than aggregated statistics of the training batch". The
reference's ``test.py`` does this by default (it calls ``model.eval()`` only with
``--eval``) with one image per batch, so each image is normalised by its own
per-channel mean and variance. :class:`ImageStatsBatchNorm` is a
``BatchNormalization`` that does the same when ``training`` is false (inference,
export); training is unchanged (batch statistics, moving averages kept up to date, so
``test_bn=moving`` remains a choice at any time). Per image rather than per batch, so
an output never depends on the other images of a batch.

>>> import numpy as np
>>> layer = ImageStatsBatchNorm(epsilon=1e-5)
>>> x = np.random.default_rng(0).normal(3.0, 2.0, (2, 4, 4, 1)).astype("float32")
>>> y = np.asarray(layer(x, training=False))
>>> bool(abs(y[0].mean()) < 1e-5 and abs(y[0].std() - 1) < 1e-3)
True
"""
from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="cgtk_pix2pix")
class ImageStatsBatchNorm(keras.layers.BatchNormalization):
    """Batch norm that, at inference, normalises each image by its own statistics."""

    def call(self, inputs, training=None, mask=None):
        if training:
            return super().call(inputs, training=True, mask=mask)
        x = ops.cast(inputs, "float32")
        axes = [a for a in range(len(x.shape)) if a not in (0, self.axis % len(x.shape))]
        mean, variance = ops.moments(x, axes=axes, keepdims=True)
        y = (x - mean) * ops.rsqrt(variance + self.epsilon)
        shape = [1] * len(x.shape)
        shape[self.axis] = x.shape[self.axis]
        if self.scale:
            y = y * ops.reshape(ops.cast(self.gamma, "float32"), shape)
        if self.center:
            y = y + ops.reshape(ops.cast(self.beta, "float32"), shape)
        return ops.cast(y, self.compute_dtype)


def with_image_stats_norm(model: keras.Model) -> keras.Model:
    """``model`` with every ``BatchNormalization`` replaced by :class:`ImageStatsBatchNorm`
    (same config and weights); every other layer is reused as it is."""

    def swap(layer):
        if type(layer) is not keras.layers.BatchNormalization:
            return layer
        new = ImageStatsBatchNorm.from_config(layer.get_config())
        new.build(layer.input.shape)
        new.set_weights(layer.get_weights())
        return new

    clone = keras.models.clone_model(model, clone_function=swap)
    for attr in ("cgtk_multiple",):
        if hasattr(model, attr):
            setattr(clone, attr, getattr(model, attr))
    return clone
