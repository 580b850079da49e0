"""Image stores: random access to a split's decoded images by index, for tf.data.

:class:`MemoryStore` keeps uint8 arrays in memory (demo data, and folders whose
decoded size fits the cache budget); :class:`FileStore` decodes from disk in the
pipeline (``tf.io`` for plain JPEG/PNG, Pillow through ``tf.numpy_function`` for
everything else). Both give uint8 ``[H, W, 3]``.

>>> import numpy as np
>>> store = MemoryStore([np.zeros((4, 5, 3), np.uint8)], ["x.png"])
>>> store.load_np(0).shape, store.names
((4, 5, 3), ['x.png'])
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from cgtk.data.decode import BadImage, decode_file
from cgtk.data.scan import FileInfo
from cgtk.errors import CgtkError

_CONSTANT_LIMIT = 64 << 20  # same-size stacks up to this size become one tf constant


def cache_budget() -> int:
    """Bytes of decoded images a split may keep in memory: ``$CGTK_DATA_CACHE_MB``,
    default the smaller of 2 GiB and a quarter of the physical memory."""
    value = os.environ.get("CGTK_DATA_CACHE_MB", "").strip()
    if value:
        return int(float(value) * (1 << 20))
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        physical = 8 << 30
    return min(2 << 30, physical // 4)


class MemoryStore:
    """Decoded uint8 images held in memory."""

    def __init__(self, images, names: list[str]):
        self.images = images
        self.names = list(names)
        self._tensor = None

    def __len__(self) -> int:
        return len(self.names)

    def shape(self, i: int) -> tuple[int, int]:
        return tuple(self.images[i].shape[:2])

    def load_np(self, i: int) -> np.ndarray:
        return np.asarray(self.images[i])

    def tf_load(self, index):
        import tensorflow as tf

        if isinstance(self.images, np.ndarray) and self.images.nbytes <= _CONSTANT_LIMIT:
            if self._tensor is None:
                with tf.init_scope():  # one eager tensor, captured by every trace
                    self._tensor = tf.constant(self.images)
            return tf.gather(self._tensor, index)
        images = self.images

        def fetch(i):
            return np.asarray(images[int(i)])

        out = tf.numpy_function(fetch, [index], tf.uint8, stateful=False)
        out.set_shape([None, None, 3])
        return out


class FileStore:
    """Images decoded from their files inside the pipeline."""

    def __init__(self, infos: list[FileInfo]):
        self.infos = list(infos)
        self.names = [i.path.name for i in self.infos]
        self._paths = [str(i.path) for i in self.infos]
        self._tf = [i.tf for i in self.infos]

    def __len__(self) -> int:
        return len(self.infos)

    def shape(self, i: int) -> tuple[int, int]:
        return self.infos[i].height, self.infos[i].width

    def load_np(self, i: int) -> np.ndarray:
        return _decode_or_fail(self._paths[i])

    def tf_load(self, index):
        import tensorflow as tf

        path = tf.gather(tf.constant(self._paths), index)
        use_tf = tf.gather(tf.constant(self._tf), index)

        def with_tf():
            return tf.io.decode_image(tf.io.read_file(path), channels=3,
                                      expand_animations=False, dtype=tf.uint8)

        def with_pillow():
            out = tf.numpy_function(lambda p: _decode_or_fail(p.decode()), [path], tf.uint8,
                                    stateful=False)
            return tf.reshape(out, tf.concat([tf.shape(out)[:2], [3]], 0))

        out = tf.cond(use_tf, with_tf, with_pillow)
        out.set_shape([None, None, 3])
        return out


def _decode_or_fail(path: str) -> np.ndarray:
    try:  # no cap here: the scan applied the run's max_pixels to every listed file
        return decode_file(path, max_pixels=None)
    except BadImage as err:
        raise CgtkError(f"{path}: {err} (the file changed after it was checked)") from None


def make_store(infos: list[FileInfo], budget: int | None = None):
    """A :class:`MemoryStore` when the decoded images fit ``budget`` bytes, else a
    :class:`FileStore`."""
    budget = cache_budget() if budget is None else budget
    if sum(i.nbytes for i in infos) > budget:
        return FileStore(infos)
    workers = min(8, os.cpu_count() or 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        images = list(pool.map(lambda i: _decode_or_fail(str(i.path)), infos))
    if images and all(im.shape == images[0].shape for im in images):
        images = np.stack(images)
    return MemoryStore(images, [i.path.name for i in infos])
