import doctest
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import cgtk.losses.adversarial
from cgtk.losses import GAN_MODES, discriminator_adversarial, generator_adversarial

RNG = np.random.default_rng(0)
REAL = RNG.normal(0.5, 2.0, (2, 5, 5, 1)).astype("float32")
FAKE = RNG.normal(-0.5, 2.0, (2, 5, 5, 1)).astype("float32")


def np_bce(z, t):
    z = z.astype("float64")
    p = 1 / (1 + np.exp(-z))
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)))


NP_G = {
    "lsgan": lambda f: np.mean((f - 1.0) ** 2),
    "vanilla": lambda f: np_bce(f, 1.0),
    "hinge": lambda f: -np.mean(f),
    "wgangp": lambda f: -np.mean(f),
}
NP_D = {
    "lsgan": lambda r, f: 0.5 * (np.mean((r - 1.0) ** 2) + np.mean(f**2)),
    "vanilla": lambda r, f: 0.5 * (np_bce(r, 1.0) + np_bce(f, 0.0)),
    "hinge": lambda r, f: np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f)),
    "wgangp": lambda r, f: np.mean(f) - np.mean(r),
}


def value(x):
    x = keras.ops.convert_to_numpy(x)
    assert x.shape == () and x.dtype == np.float32
    return float(x)


@pytest.mark.parametrize("mode", GAN_MODES)
def test_generator_matches_numpy(mode):
    assert value(generator_adversarial(FAKE, mode)) == pytest.approx(NP_G[mode](FAKE), rel=1e-5)


@pytest.mark.parametrize("mode", GAN_MODES)
def test_discriminator_matches_numpy(mode):
    got = value(discriminator_adversarial(REAL, FAKE, mode))
    assert got == pytest.approx(NP_D[mode](REAL, FAKE), rel=1e-5)


@pytest.mark.parametrize("mode", GAN_MODES)
def test_float16_logits_give_float32_loss(mode):
    half_real, half_fake = REAL.astype("float16"), FAKE.astype("float16")
    got = value(discriminator_adversarial(half_real, half_fake, mode))
    expected = NP_D[mode](half_real.astype("float32"), half_fake.astype("float32"))
    assert got == pytest.approx(expected, rel=1e-4)
    value(generator_adversarial(keras.ops.convert_to_tensor(half_fake), mode))


def test_vanilla_is_stable_for_extreme_logits():
    big = np.array([100.0, -100.0, 80.0], "float32")
    assert value(generator_adversarial(big, "vanilla")) == pytest.approx(
        (0.0 + 100.0 + 0.0) / 3, rel=1e-6)
    d = value(discriminator_adversarial(big, -big, "vanilla"))
    assert np.isfinite(d) and d == pytest.approx(0.5 * (2 * 100.0 / 3), rel=1e-6)


def test_custom_labels():
    got = value(discriminator_adversarial(REAL, FAKE, "lsgan", real_label=0.9, fake_label=0.1))
    expected = 0.5 * (np.mean((REAL - 0.9) ** 2) + np.mean((FAKE - 0.1) ** 2))
    assert got == pytest.approx(expected, rel=1e-5)
    assert value(generator_adversarial(FAKE, "vanilla", real_label=0.9)) == pytest.approx(
        np_bce(FAKE, 0.9), rel=1e-5)


def test_unknown_mode():
    with pytest.raises(ValueError, match="unknown GAN mode 'wgan'"):
        generator_adversarial(FAKE, "wgan")
    with pytest.raises(ValueError, match="lsgan, vanilla, hinge, wgangp"):
        discriminator_adversarial(REAL, FAKE, "relativistic")


def test_gradients_flow():
    # losses are differentiable in the logits (checked by a finite difference)
    z = np.array([0.3, -1.2], "float32")
    eps = 1e-3
    for mode in GAN_MODES:
        up = value(generator_adversarial(z + np.array([eps, 0], "float32"), mode))
        down = value(generator_adversarial(z - np.array([eps, 0], "float32"), mode))
        assert abs(up - down) > 1e-5


def test_docstring_examples():
    result = doctest.testmod(cgtk.losses.adversarial)
    assert result.attempted > 0 and result.failed == 0


JAX_CODE = """
import numpy as np, keras
from cgtk.losses import GAN_MODES, generator_adversarial, discriminator_adversarial, l1, mse
assert keras.backend.backend() == "jax"
r, f = np.array([0.5, -2.0, 3.0], "float32"), np.array([-1.0, 0.2, 40.0], "float32")
out = [float(generator_adversarial(f, m)) for m in GAN_MODES]
out += [float(discriminator_adversarial(r, f, m)) for m in GAN_MODES]
out += [float(l1(r, f)), float(mse(r, f))]
print(repr(out))
"""


def test_same_values_on_jax():
    from cgtk.losses import l1, mse

    r, f = np.array([0.5, -2.0, 3.0], "float32"), np.array([-1.0, 0.2, 40.0], "float32")
    expected = [value(generator_adversarial(f, m)) for m in GAN_MODES]
    expected += [value(discriminator_adversarial(r, f, m)) for m in GAN_MODES]
    expected += [value(l1(r, f)), value(mse(r, f))]
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu",
           "XLA_FLAGS": "--xla_backend_optimization_level=0"}
    result = subprocess.run([sys.executable, "-c", JAX_CODE], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    got = eval(result.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(got, expected, rtol=1e-6)
