"""Fréchet Inception Distance and Kernel Inception Distance from feature arrays (NumPy/SciPy).

Feature extraction lives in :mod:`cgtk.metrics.inception`; this module is the math,
which does not import Keras.

>>> import numpy as np
>>> mu, sigma = np.zeros(2), np.eye(2)
>>> round(frechet_distance(mu, sigma, mu + 1.0, sigma), 6)   # |mu1 - mu2|^2
2.0
"""
from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass

import numpy as np
from scipy import linalg

from cgtk.errors import CgtkError


def feature_stats(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (``np.cov``, N - 1 normalisation) of ``[N, D]`` features."""
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or f.shape[0] < 2:
        raise ValueError(f"expected features [N >= 2, D], got shape {f.shape}")
    return f.mean(axis=0), np.cov(f, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps: float = 1e-6) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2).

    ``|mu1 - mu2|^2 + tr(sigma1 + sigma2 - 2 sqrtm(sigma1 sigma2))``, as pytorch-fid /
    TTUR: ``scipy.linalg.sqrtm``; if the product is singular (the square root is not
    finite, or SciPy warns that the matrix is singular), ``eps * I`` is added to both covariances; a complex result whose diagonal
    has an imaginary part above 1e-3 is an error (too few images for the feature
    dimension), otherwise the real part is kept.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1 = np.atleast_2d(np.asarray(sigma1, np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError(f"mismatched statistics: {mu1.shape}/{sigma1.shape} vs "
                         f"{mu2.shape}/{sigma2.shape}")
    diff = mu1 - mu2
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(sigma1.dot(sigma2))
    singular = any(issubclass(w.category, linalg.LinAlgWarning) for w in caught)
    if singular or not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            m = np.max(np.abs(covmean.imag))
            raise CgtkError(f"FID: the covariance square root has an imaginary component {m:.3g}",
                            hint="use more images than the feature dimension (2048)")
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def fid_from_features(feats1, feats2) -> float:
    """FID between two ``[N, D]`` feature arrays.

    With fewer images than feature dimensions (the usual case for a test split:
    N < 2048), both covariances are singular and ``sqrtm`` of a D×D matrix is slow
    (tens of seconds). Then ``tr sqrtm(S1 S2)`` is computed exactly from the
    singular values of the small ``N1×N2`` matrix ``X1 X2ᵀ / sqrt((N1-1)(N2-1))``
    of centred features: ``S1 S2`` and that matrix times its transpose share their
    non-zero eigenvalues. Otherwise :func:`frechet_distance` (pytorch-fid's method).
    """
    f1, f2 = np.asarray(feats1, np.float64), np.asarray(feats2, np.float64)
    if min(len(f1), len(f2)) > f1.shape[1]:
        return frechet_distance(*feature_stats(f1), *feature_stats(f2))
    if min(len(f1), len(f2)) < 2 or f1.shape[1] != f2.shape[1]:
        raise ValueError(f"expected [N >= 2, D] features of equal D, got {f1.shape}, {f2.shape}")
    c1, c2 = f1 - f1.mean(0), f2 - f2.mean(0)
    n1, n2 = len(f1) - 1, len(f2) - 1
    cross = linalg.svdvals(c1 @ c2.T / np.sqrt(n1 * n2))
    diff = f1.mean(0) - f2.mean(0)
    return float(diff.dot(diff) + (c1 ** 2).sum() / n1 + (c2 ** 2).sum() / n2 - 2 * cross.sum())


def polynomial_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 of two samples with the kernel ``k(a, b) = (a.b / d + 1)^3``.

    ``sum_{i != j} k(x_i, x_j) / (m(m-1)) + sum_{i != j} k(y_i, y_j) / (m(m-1))
    - 2 sum_{i,j} k(x_i, y_j) / m^2`` (Bińkowski et al. 2018), for ``m`` rows each.
    """
    m, d = x.shape
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    same = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1))
    return float(same - 2 * kxy.sum() / m**2)


def kid(feats1, feats2, subsets: int = 100, subset_size: int = 1000,
        seed: int | None = 0) -> tuple[float, float]:
    """Kernel Inception Distance: mean and std of :func:`polynomial_mmd2` over subsets.

    Each of ``subsets`` rounds draws ``subset_size`` rows (without replacement) from each
    side (clean-fid / torch-fidelity defaults: 100 subsets of 1000; ``subset_size``
    is lowered to the smaller side's count).
    """
    f1, f2 = np.asarray(feats1, np.float64), np.asarray(feats2, np.float64)
    if f1.ndim != 2 or f1.shape[1] != f2.shape[1]:
        raise ValueError(f"expected [N, D] features of equal D, got {f1.shape} and {f2.shape}")
    m = min(subset_size, len(f1), len(f2))
    if m < 2:
        raise ValueError("KID needs at least 2 images per side")
    rng = np.random.default_rng(seed)
    values = [polynomial_mmd2(f1[rng.choice(len(f1), m, replace=False)],
                              f2[rng.choice(len(f2), m, replace=False)])
              for _ in range(subsets)]
    return float(np.mean(values)), float(np.std(values))


@dataclass
class FIDResult:
    """FID/KID of two image sets and how they were measured.

    Attributes:
        fid: Fréchet distance of the feature Gaussians.
        kid_mean, kid_std: KID (unbiased polynomial MMD^2) over subsets.
        n_real, n_fake: images per side.
        resize: how images were resized to the extractor's input.
        extractor: the feature extractor / protocol label.
        proxy: True when the extractor had random weights (numbers are a proxy only).
        kid_subsets, kid_subset_size: the KID sampling actually used.
    """

    fid: float
    kid_mean: float
    kid_std: float
    n_real: int
    n_fake: int
    resize: str
    extractor: str
    proxy: bool = False
    kid_subsets: int = 0
    kid_subset_size: int = 0

    def __str__(self) -> str:
        tag = " [PROXY: random weights, not a real FID]" if self.proxy else ""
        return (f"FID {self.fid:.3f}, KID {self.kid_mean:.5f} ± {self.kid_std:.5f} "
                f"(n={self.n_real}/{self.n_fake}; {self.extractor}; resize {self.resize}){tag}")

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


def fid_kid(feats_real, feats_fake, *, extractor: str, resize: str, proxy: bool = False,
            kid_subsets: int = 100, kid_subset_size: int = 1000,
            seed: int | None = 0) -> FIDResult:
    """A :class:`FIDResult` from two ``[N, D]`` feature arrays."""
    f1, f2 = np.asarray(feats_real, np.float64), np.asarray(feats_fake, np.float64)
    km, ks = kid(f1, f2, kid_subsets, kid_subset_size, seed)
    return FIDResult(fid=fid_from_features(f1, f2), kid_mean=km, kid_std=ks,
                     n_real=len(f1), n_fake=len(f2), resize=resize, extractor=extractor,
                     proxy=proxy, kid_subsets=kid_subsets,
                     kid_subset_size=min(kid_subset_size, len(f1), len(f2)))
