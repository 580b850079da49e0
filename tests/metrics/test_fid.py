import json

import numpy as np
import pytest

from cgtk.errors import CgtkError
from cgtk.metrics.fid import (
    FIDResult,
    feature_stats,
    fid_from_features,
    fid_kid,
    frechet_distance,
    kid,
    polynomial_mmd2,
)


def test_frechet_distance_of_diagonal_gaussians_closed_form():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    s1, s2 = rng.uniform(0.1, 3, 5), rng.uniform(0.1, 3, 5)
    expected = ((mu1 - mu2) ** 2).sum() + (s1 + s2 - 2 * np.sqrt(s1 * s2)).sum()
    assert frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected,
                                                                                  rel=1e-9)


def test_frechet_distance_of_general_gaussians_matches_eigen_reference():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    s1, s2 = a @ a.T + np.eye(4), b @ b.T + np.eye(4)
    # tr sqrt(s1 s2) = sum sqrt(eig(s1 s2)) (the eigenvalues are real and positive)
    tr = np.sqrt(np.linalg.eigvals(s1 @ s2).real).sum()
    expected = np.trace(s1) + np.trace(s2) - 2 * tr
    assert frechet_distance(np.zeros(4), s1, np.zeros(4), s2) == pytest.approx(expected, rel=1e-8)
    assert frechet_distance(np.zeros(4), s1, np.zeros(4), s1) == pytest.approx(0, abs=1e-8)


def test_frechet_distance_singular_covariances_is_finite():
    # 3 samples in 10 dimensions: rank-2 covariances
    rng = np.random.default_rng(2)
    f1, f2 = rng.normal(size=(3, 10)), rng.normal(size=(3, 10)) + 1
    value = fid_from_features(f1, f2)
    assert np.isfinite(value) and value > 0


def test_frechet_distance_shape_mismatch():
    with pytest.raises(ValueError):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))


def test_feature_stats():
    f = np.random.default_rng(3).normal(size=(20, 3))
    mu, sigma = feature_stats(f)
    np.testing.assert_allclose(mu, f.mean(0))
    np.testing.assert_allclose(sigma, np.cov(f.T))


def _mmd2_double_loop(x, y):
    m, d = x.shape

    def k(a, b):
        return (a @ b / d + 1) ** 3

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / m**2
    return xx + yy - 2 * xy


def test_polynomial_mmd2_matches_double_loop():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(7, 5)), rng.normal(size=(7, 5)) + 0.5
    assert polynomial_mmd2(x, y) == pytest.approx(_mmd2_double_loop(x, y), rel=1e-10)


def test_kid_full_subsets_equal_the_statistic():
    # subset_size == n: every subset is a permutation, so every value is the same
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 4)) + 1
    mean, std = kid(x, y, subsets=3, subset_size=6)
    assert mean == pytest.approx(_mmd2_double_loop(x, y), rel=1e-10)
    assert std == pytest.approx(0, abs=1e-12)


def test_kid_subsets_and_seed():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(40, 4)), rng.normal(size=(40, 4))
    a, b = kid(x, y, subsets=10, subset_size=10, seed=1), kid(x, y, subsets=10, subset_size=10,
                                                              seed=1)
    assert a == b and a[1] > 0
    assert abs(a[0]) < 0.5  # same distribution: near zero (unbiased)
    assert kid(x, y + 3, subsets=10, subset_size=10)[0] > 1


def test_fid_result_record():
    rng = np.random.default_rng(7)
    res = fid_kid(rng.normal(size=(30, 3)), rng.normal(size=(25, 3)), extractor="demo",
                  resize="bilinear", kid_subsets=5, kid_subset_size=1000)
    assert isinstance(res, FIDResult)
    assert (res.n_real, res.n_fake, res.kid_subset_size) == (30, 25, 25)
    d = json.loads(res.to_json())
    assert set(d) >= {"fid", "kid_mean", "kid_std", "n_real", "n_fake", "resize",
                      "extractor", "proxy"}
    assert "demo" in str(res) and "PROXY" not in str(res)
    res.proxy = True
    assert "PROXY" in str(res)


def test_complex_sqrtm_is_a_user_error(monkeypatch):
    import cgtk.metrics.fid as fid

    monkeypatch.setattr(fid.linalg, "sqrtm", lambda m: np.eye(len(m)) * (1 + 1j))
    with pytest.raises(CgtkError, match="imaginary"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), np.eye(2))


def test_fid_from_features_fast_path_matches_sqrtm():
    """Fewer images than dimensions: the small-matrix path equals the sqrtm formula."""
    import numpy as np

    from cgtk.metrics.fid import feature_stats, fid_from_features, frechet_distance

    rng = np.random.default_rng(3)
    a = rng.normal(size=(12, 40))
    b = rng.normal(loc=0.3, size=(9, 40)) * 1.5
    fast = fid_from_features(a, b)
    slow = frechet_distance(*feature_stats(a), *feature_stats(b), eps=1e-12)
    assert abs(fast - slow) < 1e-4 * max(1.0, abs(slow))
    # and the usual path (more images than dimensions) is unchanged
    c, d = rng.normal(size=(80, 5)), rng.normal(size=(70, 5))
    assert abs(fid_from_features(c, d) - frechet_distance(*feature_stats(c), *feature_stats(d))) < 1e-9
