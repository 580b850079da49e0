"""The image pool of CycleGAN (Shrivastava et al. 2017; reference ``util/image_pool.py``).

The discriminators are updated with a history of generated images rather than only the
latest ones. :class:`ImagePool` keeps the last ``pool_size`` fakes and answers each query
exactly as the reference's ``ImagePool.query``, image by image through the batch:

* while the pool is filling, the fake is stored and returned as it is;
* once full, with probability 0.5 a random stored image is returned and the fake takes
  its place; otherwise the fake itself is returned (and the pool is unchanged).

The state (``buffer`` ``[pool_size, H, W, C]`` and ``count``) lives in non-trainable
variables, updated with ``assign`` inside ``call``, so the layer works in the engine's
compiled step on TensorFlow (graph/XLA) and JAX (``StatelessScope`` under ``jit``) and
checkpoints save and restore it. The randomness comes from a
``keras.random.SeedGenerator`` (its state is a variable too). The buffer needs a static
image shape: CycleGAN allocates it from the training crop (``config.image_size``);
querying with another shape is an error. ``pool_size=0`` disables the pool (identity).

>>> import numpy as np
>>> pool = ImagePool(2, (4, 4, 3), seed=0)
>>> x = np.ones((1, 4, 4, 3), "float32")
>>> bool(np.allclose(pool(x), x)), int(pool.count.numpy())   # filling: stored, returned
(True, 1)
"""
from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="cgtk_cyclegan")
class ImagePool(keras.layers.Layer):
    """A history of generated images (see the module docstring).

    Args:
        pool_size: images kept (50 in the reference); 0 disables the pool.
        image_shape: ``(H, W, C)`` of the images queried (static; the training crop).
        seed: seed of the pool's random choices (None: unseeded).
    """

    def __init__(self, pool_size: int = 50, image_shape=(256, 256, 3), seed=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if pool_size < 0:
            raise ValueError(f"pool_size must be >= 0, got {pool_size}")
        self.pool_size = int(pool_size)
        self.image_shape = tuple(int(d) for d in image_shape)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.build()

    def build(self, input_shape=None):
        if self.built:
            return
        size = max(self.pool_size, 1)  # a 1-slot placeholder keeps the variable list fixed
        self.buffer = self.add_weight(shape=(size, *self.image_shape), initializer="zeros",
                                      trainable=False, dtype="float32", name="buffer")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     dtype="int32", name="count")
        self.built = True

    def call(self, images):
        if self.pool_size == 0:
            return images
        images_shape = tuple(images.shape[1:])
        if images_shape != self.image_shape:
            raise ValueError(f"ImagePool holds images of shape {self.image_shape}, "
                             f"got {images_shape}")
        batch = images.shape[0]
        if batch is None:
            raise ValueError("ImagePool needs a static batch size (the engine's batches have one)")
        in_dtype = images.dtype
        images = ops.cast(images, "float32")
        buffer, count = self.buffer.value, self.count.value
        out = []
        for i in range(batch):
            image = images[i]
            filling = count < self.pool_size
            u = keras.random.uniform((), seed=self.seed_generator)
            stored_id = keras.random.randint((), 0, self.pool_size, seed=self.seed_generator,
                                             dtype="int32")
            swap = ops.logical_and(ops.logical_not(filling), u > 0.5)
            index = ops.where(filling, ops.minimum(count, self.pool_size - 1), stored_id)
            stored = ops.take(buffer, index, axis=0)
            out.append(ops.where(swap, stored, image))
            written = ops.where(ops.logical_or(filling, swap), image, stored)
            buffer = ops.slice_update(buffer, ops.stack([index, 0, 0, 0]), written[None])
            count = count + ops.cast(filling, "int32")
        self.buffer.assign(buffer)
        self.count.assign(count)
        return ops.cast(ops.stack(out), in_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size,
                "image_shape": list(self.image_shape), "seed": self.seed}
