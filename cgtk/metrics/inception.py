"""Inception features for FID/KID, with the protocol label that goes with the numbers.

Two sources, in order of preference:

* **the 2015 TF Inception graph** (the one TF-GAN, TTUR and pytorch-fid use, so the
  only one whose FIDs compare with published ones), as a TF SavedModel directory on
  disk: ``source=PATH``, or found in ``$CGTK_FID_INCEPTION`` or
  ``$CGTK_HOME/weights/tfgan_inception/``. Expected interface: a ``serving_default``
  signature (or a callable ``tf.function``) taking one float32 tensor
  ``[N, 299, 299, 3]`` with values in ``input_range`` (default [-1, 1], TF-GAN's
  convention) and returning the ``pool_3`` features ``[N, 2048]`` (or
  ``[N, 1, 1, 2048]``), either as the tensor or as a dict entry ``output_key``.
* **keras.applications InceptionV3** (``include_top=False, pooling="avg"``, ImageNet
  weights, 2048-d). Its numbers are labelled ``keras-inception-v3`` and are **not
  comparable** to published FIDs. Its weights resolve like VGG's
  (``--set inception_weights=PATH``, ``CGTK_INCEPTION_WEIGHTS``,
  ``$CGTK_HOME/weights/``, ``~/.keras/models/``, download); if none can be had, it
  refuses. ``weights="random-proxy"`` (tests only) uses random weights and marks
  every result as a proxy.

Images (uint8, or cgtk floats in [-1, 1]) are resized to 299x299 with bilinear
interpolation without antialiasing (``tf.image.resize``, as TF-GAN and pytorch-fid do).
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from cgtk.errors import CgtkError
from cgtk.metrics.fid import FIDResult, fid_kid
from cgtk.weights import WeightFile, cgtk_home, load_weights_into, resolve_weights

INCEPTION_WEIGHTS = WeightFile(
    key="inception_weights", env="CGTK_INCEPTION_WEIGHTS",
    filename="inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
    url="https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
        "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
    file_hash="bcbd6486424b2319ff4ef7d526e38f63",
    description="InceptionV3 ImageNet weights")

#: Environment variable naming the 2015 TF Inception SavedModel directory.
TFGAN_ENV = "CGTK_FID_INCEPTION"

KERAS_LABEL = ("keras-inception-v3 (keras.applications ImageNet, avg-pool 2048-d); not comparable "
               "to published FIDs computed with the 2015 TF Inception graph")
PROXY_LABEL = "keras-inception-v3 with RANDOM weights: a proxy for tests, not an FID"


def default_tfgan_dir() -> Path:
    """``$CGTK_HOME/weights/tfgan_inception``."""
    return cgtk_home() / "weights" / "tfgan_inception"


def find_tfgan_inception() -> Path | None:
    """The 2015 Inception SavedModel: ``$CGTK_FID_INCEPTION``, else the default dir, else None."""
    env = os.environ.get(TFGAN_ENV)
    if env:
        p = Path(env).expanduser()
        if not (p / "saved_model.pb").is_file():
            raise CgtkError(f"{TFGAN_ENV}={env}: not a TF SavedModel directory "
                            "(no saved_model.pb)", hint=f"point {TFGAN_ENV} at one, or unset it")
        return p
    p = default_tfgan_dir()
    return p if (p / "saved_model.pb").is_file() else None


def to_float_images(images) -> list[np.ndarray] | np.ndarray:
    """uint8 images to float32 in [-1, 1]; float images are taken to be in [-1, 1] already."""
    if isinstance(images, (list, tuple)):
        return [to_float_images(x) for x in images]
    x = np.asarray(images)
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 127.5 - 1.0
    return x.astype(np.float32)


class InceptionFeatures:
    """Maps images to 2048-d Inception pool features, and says which protocol that is.

    Args:
        source: ``"auto"`` (the 2015 graph if found, else keras), ``"keras"``,
            ``"tfgan"`` (the 2015 graph, required) or a SavedModel directory path.
        weights: keras source only: ``"imagenet"``, a weights file path, or
            ``"random-proxy"`` (tests only). ``None`` is refused.
        output_key: the SavedModel output to use when it returns a dict.
        input_range: the value range the SavedModel expects (TF-GAN: (-1, 1)).
        image_size: the side images are resized to (299).
        batch_size: images per forward pass.

    Attributes: ``label`` (the protocol, printed next to numbers), ``proxy``, ``resize``.

    >>> import warnings, numpy as np
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ext = InceptionFeatures("keras", weights="random-proxy", image_size=75)
    >>> ext.proxy, ext(np.zeros((2, 8, 8, 3), np.uint8)).shape
    (True, (2, 2048))
    """

    def __init__(self, source: str | os.PathLike = "auto",
                 weights: str | os.PathLike | None = "imagenet", *, output_key: str = "pool_3",
                 input_range: tuple[float, float] = (-1.0, 1.0), image_size: int = 299,
                 batch_size: int = 32):
        self.output_key = output_key
        self.input_range = (float(input_range[0]), float(input_range[1]))
        self.image_size = int(image_size)
        self.batch_size = int(batch_size)
        self.resize = f"bilinear to {image_size}x{image_size} (tf.image.resize, no antialias)"
        self.proxy = False
        self.model = None
        self._fn = None
        source = str(source)
        path = None
        if source == "auto":
            path = find_tfgan_inception()
        elif source == "tfgan":
            path = find_tfgan_inception()
            if path is None:
                raise CgtkError("the 2015 TF Inception graph for FID was not found",
                                hint=f"save it as a TF SavedModel in {default_tfgan_dir()}/ "
                                f"or set {TFGAN_ENV}=DIR")
        elif source != "keras":
            path = Path(source).expanduser()
            if not (path / "saved_model.pb").is_file():
                raise CgtkError(f"{source}: not a TF SavedModel directory (no saved_model.pb)",
                                hint="pass the directory written by tf.saved_model.save")
        if path is not None:
            self.source = str(path)
            self._load_saved_model(path)
            self.label = f"tfgan-inception-2015 {output_key} (SavedModel {path})"
        else:
            self.source = "keras"
            self._build_keras(weights)
            self.label = PROXY_LABEL if self.proxy else KERAS_LABEL

    # ------------------------------------------------------------- sources ---

    def _load_saved_model(self, path: Path):
        import tensorflow as tf

        loaded = tf.saved_model.load(str(path))
        self._loaded = loaded  # keep the resources alive
        fn = getattr(loaded, "signatures", {}).get("serving_default")
        if fn is not None:
            names = list(fn.structured_input_signature[1])
            if len(names) != 1:
                raise CgtkError(f"{path}: serving_default takes {len(names)} inputs {names}",
                                hint="the Inception SavedModel must take one image tensor")
            self._fn = lambda x: fn(**{names[0]: tf.constant(x)})
        elif callable(loaded):
            self._fn = lambda x: loaded(tf.constant(x))
        else:
            raise CgtkError(f"{path}: the SavedModel has no serving_default signature and is "
                            "not callable", hint="save it with signatures={'serving_default': f}")

    def _build_keras(self, weights):
        import keras

        if weights is None or str(weights).lower() in ("none", "random"):
            raise CgtkError("FID/KID need pretrained Inception weights, not random ones",
                            hint="use weights='imagenet' or a file; tests may pass "
                            "weights='random-proxy'")
        path = None
        if str(weights) == "random-proxy":
            self.proxy = True
            warnings.warn("InceptionFeatures uses RANDOM weights: FID/KID values are a proxy "
                          "for tests and mean nothing", UserWarning, stacklevel=3)
        else:
            local = None if str(weights) == "imagenet" else weights
            path = resolve_weights(INCEPTION_WEIGHTS, local)  # fail before building
        from cgtk.losses.perceptual import float32_policy

        s = self.image_size
        with float32_policy():
            model = keras.applications.InceptionV3(include_top=False, weights=None,
                                                   input_shape=(s, s, 3), pooling="avg")
        if path is not None:
            load_weights_into(model, path, INCEPTION_WEIGHTS, "InceptionV3")
        model.trainable = False
        self.model = model

    # ------------------------------------------------------------- compute ---

    def _resize(self, batch) -> np.ndarray:
        import tensorflow as tf

        s = self.image_size
        if isinstance(batch, list):
            return np.stack([self._resize(x[None])[0] for x in batch])
        if batch.shape[1:3] == (s, s):
            return batch.astype(np.float32)
        return tf.image.resize(batch, (s, s), method="bilinear", antialias=False).numpy()

    def _forward(self, x: np.ndarray) -> np.ndarray:
        if self.model is not None:
            import keras

            return keras.ops.convert_to_numpy(self.model(x, training=False))
        lo, hi = self.input_range
        out = self._fn((x + 1.0) * 0.5 * (hi - lo) + lo)
        if isinstance(out, dict):
            if self.output_key in out:
                out = out[self.output_key]
            elif len(out) == 1:
                out = next(iter(out.values()))
            else:
                raise CgtkError(f"{self.source}: no output {self.output_key!r} among "
                                f"{sorted(out)}", hint="pass output_key=one of those")
        return np.asarray(out).reshape(len(x), -1)

    def __call__(self, images) -> np.ndarray:
        """Features ``[N, 2048]`` (float64) of images: a batch or a list of any sizes."""
        images = to_float_images(images)
        if not isinstance(images, list) and images.ndim == 3:
            images = images[None]
        n = len(images)
        if n == 0:
            raise ValueError("no images")
        out = []
        for i in range(0, n, self.batch_size):
            chunk = images[i:i + self.batch_size]
            if isinstance(chunk, list) and len({x.shape for x in chunk}) == 1:
                chunk = np.stack(chunk)
            out.append(self._forward(self._resize(chunk)))
        return np.concatenate(out).astype(np.float64)


def compute_fid(real_images, fake_images, extractor: InceptionFeatures | None = None, *,
                kid_subsets: int = 100, kid_subset_size: int = 1000,
                seed: int | None = 0) -> FIDResult:
    """FID and KID between two image sets, labelled with the extractor's protocol.

    ``extractor`` defaults to ``InceptionFeatures("auto")`` (the 2015 graph if on
    disk, else keras InceptionV3 with ImageNet weights; offline without a local
    copy this raises a CgtkError).
    """
    extractor = extractor or InceptionFeatures("auto")
    return fid_kid(extractor(real_images), extractor(fake_images), extractor=extractor.label,
                   resize=extractor.resize, proxy=extractor.proxy, kid_subsets=kid_subsets,
                   kid_subset_size=kid_subset_size, seed=seed)
