"""cgtk.losses.gradient_penalty on both backends against a closed form."""
import keras
import numpy as np
from helpers import run_python

from cgtk import losses


def linear_critic():
    """critic(x) = sum(w * x) with w = 0.5 everywhere: its input gradient has norm
    0.5 * sqrt(numel) for every sample, whatever the interpolate."""
    inp = keras.Input((4, 4, 1))
    out = keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")(
        keras.layers.Flatten()(inp))
    model = keras.Model(inp, out)
    model.layers[-1].kernel.assign(np.full((16, 1), 0.5, "float32"))
    return model


def expected(weight=10.0):
    norm = 0.5 * np.sqrt(16)
    return weight * (norm - 1.0) ** 2


def test_gradient_penalty_tensorflow():
    critic = linear_critic()
    rng = np.random.default_rng(0)
    real = rng.normal(size=(3, 4, 4, 1)).astype("float32")
    fake = rng.normal(size=(3, 4, 4, 1)).astype("float32")
    value = float(losses.gradient_penalty(critic, real, fake, seed=keras.random.SeedGenerator(1)))
    assert abs(value - expected()) < 1e-4


def test_gradient_penalty_jax():
    code = """
    import keras, numpy as np, jax
    from cgtk import losses
    inp = keras.Input((4, 4, 1))
    out = keras.layers.Dense(1, use_bias=False)(keras.layers.Flatten()(inp))
    critic = keras.Model(inp, out)
    critic.layers[-1].kernel.assign(np.full((16, 1), 0.5, "float32"))
    rng = np.random.default_rng(0)
    real, fake = (rng.normal(size=(3, 4, 4, 1)).astype("float32") for _ in range(2))
    seed = keras.random.SeedGenerator(1)
    print("RESULT", float(losses.gradient_penalty(critic, real, fake, seed=seed)))
    """
    result = run_python(code, backend="jax")
    assert result.returncode == 0, result.stderr[-2000:]
    assert abs(float(result.stdout.split("RESULT")[1]) - expected()) < 1e-4
