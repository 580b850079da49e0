"""Real-ESRGAN's second-order degradation (Wang et al. 2021, Sec. 3), in TF for tf.data.

HR ``[S, S, C]`` in [0, 1] -> LR ``[S/scale, S/scale, C]`` in [0, 1] (8-bit levels):

1. blur (a mixed kernel, or sinc with ``sinc_prob``); random resize (up / down / keep
   with ``resize_prob``, a factor from ``resize_range``, area / bilinear / bicubic);
   Gaussian (``gaussian_noise_prob``, sigma from ``noise_range`` / 255) or Poisson
   (``poisson_scale_range``) noise, gray with ``gray_noise_prob``; JPEG (``jpeg_range``);
2. the same again with the ``*2`` options (blur only with ``second_blur_prob``), the
   resize relative to the final size;
3. in random order: [resize to ``S/scale`` + final sinc (``final_sinc_prob``)] and JPEG.

Defaults are ``train_realesrgan_x4plus.yml``'s. Every draw is stateless from one seed.

>>> import tensorflow as tf
>>> hr = tf.random.stateless_uniform((32, 32, 3), (0, 1))
>>> lr, info = degrade(hr, tf.constant([3, 4], tf.int64), DegradationOptions(), scale=4)
>>> lr.shape.as_list(), 30 <= int(info["jpeg1"]) <= 95
([8, 8, 3], True)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

import tensorflow as tf

from cgtk.data.degrade import kernels, ops
from cgtk.data.degrade.seeds import Seeds
from cgtk.errors import CgtkError

KERNEL_SIZES = tuple(range(7, 22, 2))   # BasicSR's kernel_range: 7, 9, ..., 21


@dataclass(frozen=True)
class DegradationOptions:
    """The options of :func:`degrade`, with ``train_realesrgan_x4plus.yml``'s defaults."""

    blur_kernel_size: int = 21
    kernel_prob: tuple = (0.45, 0.25, 0.12, 0.03, 0.12, 0.03)
    sinc_prob: float = 0.1
    blur_sigma: tuple = (0.2, 3.0)
    betag_range: tuple = (0.5, 4.0)
    betap_range: tuple = (1.0, 2.0)
    resize_prob: tuple = (0.2, 0.7, 0.1)
    resize_range: tuple = (0.15, 1.5)
    gaussian_noise_prob: float = 0.5
    noise_range: tuple = (1.0, 30.0)
    poisson_scale_range: tuple = (0.05, 3.0)
    gray_noise_prob: float = 0.4
    jpeg_range: tuple = (30.0, 95.0)
    second_blur_prob: float = 0.8
    kernel_prob2: tuple = (0.45, 0.25, 0.12, 0.03, 0.12, 0.03)
    sinc_prob2: float = 0.1
    blur_sigma2: tuple = (0.2, 1.5)
    betag_range2: tuple = (0.5, 4.0)
    betap_range2: tuple = (1.0, 2.0)
    resize_prob2: tuple = (0.3, 0.4, 0.3)
    resize_range2: tuple = (0.3, 1.2)
    gaussian_noise_prob2: float = 0.5
    noise_range2: tuple = (1.0, 25.0)
    poisson_scale_range2: tuple = (0.05, 2.5)
    gray_noise_prob2: float = 0.4
    jpeg_range2: tuple = (30.0, 95.0)
    final_sinc_prob: float = 0.8

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        """Raise a one-line :class:`CgtkError` naming the first option out of its range."""
        def bad(name, why):
            raise CgtkError(f"{name}={getattr(self, name)!r}: {why}",
                            hint=f"--set {name}=... (see docs/esrgan.md)")

        k = self.blur_kernel_size
        if not isinstance(k, int) or k < 3 or k % 2 == 0:
            bad("blur_kernel_size", "must be an odd integer >= 3")
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name.endswith("_prob") or f.name.endswith("_prob2"):
                if f.name.startswith(("kernel_prob", "resize_prob")):
                    want = 6 if f.name.startswith("kernel") else 3
                    if len(v) != want or min(v) < 0 or sum(v) <= 0:
                        bad(f.name, f"must be {want} non-negative probabilities")
                elif not 0.0 <= float(v) <= 1.0:
                    bad(f.name, "must be a probability in [0, 1]")
            elif isinstance(v, tuple):
                if len(v) != 2 or float(v[0]) > float(v[1]):
                    bad(f.name, "must be a range LOW,HIGH with LOW <= HIGH")
                if float(v[0]) < 0:
                    bad(f.name, "must not be negative")
        for name in ("blur_sigma", "blur_sigma2", "resize_range", "resize_range2",
                     "poisson_scale_range", "poisson_scale_range2"):
            if float(getattr(self, name)[0]) <= 0 and name.startswith(("blur", "resize")):
                bad(name, "must be positive")
        for name in ("jpeg_range", "jpeg_range2"):
            lo, hi = getattr(self, name)
            if not (1 <= float(lo) and float(hi) <= 100):
                bad(name, "JPEG qualities must lie in [1, 100]")

    @classmethod
    def from_config(cls, config) -> DegradationOptions:
        """The options named like the fields of ``config`` (missing ones: defaults)."""
        values = {}
        for f in fields(cls):
            if hasattr(config, f.name):
                v = getattr(config, f.name)
                values[f.name] = tuple(float(x) for x in v) if isinstance(v, (list, tuple)) else v
        return cls(**values)


def _kernel_size(seeds: Seeds, max_size: int):
    sizes = tf.constant([s for s in KERNEL_SIZES if s <= max_size] or [max_size])
    i = tf.random.stateless_uniform((), seeds.next(), 0, tf.size(sizes), dtype=tf.int32)
    return sizes[i]


def _beta(seeds: Seeds, lo, hi):
    """BasicSR: half the time below 1 (``U(lo, 1)``), else above (``U(1, hi)``)."""
    below = seeds.uniform(min(lo, 1.0), 1.0)
    above = seeds.uniform(1.0, max(hi, 1.0))
    return tf.where(seeds.coin(0.5), below, above)


def random_kernel(seeds: Seeds, opts: DegradationOptions, second: bool = False):
    """``(kernel [K, K], size, is_sinc)`` drawn as BasicSR's ``random_mixed_kernels`` /
    ``circular_lowpass_kernel`` for the first (or second) degradation."""
    sfx = "2" if second else ""
    max_size = opts.blur_kernel_size
    size = _kernel_size(seeds, max_size)
    lo, hi = getattr(opts, "blur_sigma" + sfx)
    kind = seeds.choice(getattr(opts, "kernel_prob" + sfx))
    iso = tf.equal(kind % 2, 0)
    sx = seeds.uniform(lo, hi)
    sy = tf.where(iso, sx, seeds.uniform(lo, hi))
    theta = tf.where(iso, 0.0, seeds.uniform(-math.pi, math.pi))
    beta_g = _beta(seeds, *getattr(opts, "betag_range" + sfx))
    beta_p = _beta(seeds, *getattr(opts, "betap_range" + sfx))
    beta = tf.where(kind >= 4, beta_p, beta_g)
    mixed = kernels.mixed_kernel(kind, sx, sy, theta, beta, size, max_size)
    cutoff = tf.where(size < 13, seeds.uniform(math.pi / 3, math.pi),
                      seeds.uniform(math.pi / 5, math.pi))
    sinc = kernels.sinc_kernel(cutoff, size, max_size)
    use_sinc = seeds.coin(getattr(opts, "sinc_prob" + sfx))
    return tf.where(use_sinc, sinc, mixed), size, use_sinc


def _random_resize(x, seeds: Seeds, probs, rng, base_h, base_w):
    way = seeds.choice(probs)                                  # 0 up, 1 down, 2 keep
    factor = tf.switch_case(way, [lambda: seeds.uniform(1.0, rng[1]),
                                  lambda: seeds.uniform(rng[0], 1.0),
                                  lambda: tf.constant(1.0)])
    mode = tf.random.stateless_uniform((), seeds.next(), 0, 3, dtype=tf.int32)
    h = tf.cast(tf.cast(base_h, tf.float32) * factor, tf.int32)
    w = tf.cast(tf.cast(base_w, tf.float32) * factor, tf.int32)
    return ops.resize(x, h, w, mode)


def _random_noise(x, seeds: Seeds, p_gauss, noise_range, poisson_range, p_gray):
    gray = seeds.coin(p_gray)
    sigma = seeds.uniform(*noise_range) / 255.0
    scale = seeds.uniform(*poisson_range)
    s_g, s_p = seeds.next(), seeds.next()
    return tf.cond(seeds.coin(p_gauss),
                   lambda: ops.gaussian_noise(x, sigma, gray, s_g),
                   lambda: ops.poisson_noise(x, scale, gray, s_p))


def _quality(seeds: Seeds, rng):
    return tf.cast(tf.round(seeds.uniform(rng[0], rng[1])), tf.int32)


def degrade(hr, seed, opts: DegradationOptions, scale: int):
    """``(lr, info)``: the degraded LR of ``hr`` (``[S, S, C]``, float in [0, 1]).

    ``info`` holds what was drawn: ``kernel1``, ``kernel2``, ``sinc`` (the kernels),
    ``kernel1_size``, ``jpeg1``, ``jpeg2`` (qualities), ``jpeg_last`` (whether the final
    JPEG came after the final resize + sinc).
    """
    seeds = Seeds(seed)
    shape = tf.shape(hr)
    h, w = shape[0], shape[1]
    c = hr.shape[-1] or 3
    out_h, out_w = h // scale, w // scale
    k1, size1, _ = random_kernel(seeds, opts)
    k2, _, _ = random_kernel(seeds, opts, second=True)
    final_size = _kernel_size(seeds, opts.blur_kernel_size)
    sinc = kernels.sinc_kernel(seeds.uniform(math.pi / 3, math.pi), final_size,
                               opts.blur_kernel_size)
    sinc = tf.where(seeds.coin(opts.final_sinc_prob), sinc,
                    kernels.pulse_kernel(opts.blur_kernel_size))

    # ---- the first degradation
    x = ops.blur(hr, k1)
    x = _random_resize(x, seeds, opts.resize_prob, opts.resize_range, h, w)
    x = _random_noise(x, seeds, opts.gaussian_noise_prob, opts.noise_range,
                      opts.poisson_scale_range, opts.gray_noise_prob)
    q1 = _quality(seeds, opts.jpeg_range)
    x = ops.jpeg(tf.ensure_shape(x, [None, None, c]), q1)
    # ---- the second degradation
    x = tf.cond(seeds.coin(opts.second_blur_prob), lambda: ops.blur(x, k2), lambda: x)
    x = _random_resize(x, seeds, opts.resize_prob2, opts.resize_range2, out_h, out_w)
    x = _random_noise(x, seeds, opts.gaussian_noise_prob2, opts.noise_range2,
                      opts.poisson_scale_range2, opts.gray_noise_prob2)
    q2 = _quality(seeds, opts.jpeg_range2)
    mode = tf.random.stateless_uniform((), seeds.next(), 0, 3, dtype=tf.int32)

    def resize_sinc(img):
        return ops.blur(ops.resize(img, out_h, out_w, mode), sinc)

    jpeg_last = seeds.coin(0.5)
    x = tf.ensure_shape(x, [None, None, c])
    x = tf.cond(jpeg_last, lambda: ops.jpeg(resize_sinc(x), q2),
                lambda: resize_sinc(ops.jpeg(x, q2)))
    x = tf.round(tf.clip_by_value(x, 0.0, 1.0) * 255.0) / 255.0
    x = tf.ensure_shape(x, [None, None, c])
    info = {"kernel1": k1, "kernel2": k2, "sinc": sinc, "kernel1_size": size1,
            "jpeg1": q1, "jpeg2": q2, "jpeg_last": jpeg_last}
    return x, info
