"""Every network builds and runs on the JAX backend, and matches TensorFlow numerically.

The backend is fixed when Keras is first imported, so the JAX run is a subprocess.
"""
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np

from cgtk.nn import patch_discriminator, resnet_generator, unet_generator

JAX_CODE = textwrap.dedent("""
    import sys
    import numpy as np, jax, keras
    from cgtk import nn
    assert keras.backend.backend() == "jax"
    folder = sys.argv[1]
    x = np.random.default_rng(0).uniform(-1, 1, (2, 64, 64, 3)).astype("float32")
    nets = {
        "resnet": nn.resnet_generator(ngf=4, n_blocks=2),
        "resnet_nearest": nn.resnet_generator(ngf=4, n_blocks=1, upsample="nearest",
                                              norm="batch"),
        "unet": nn.unet_generator(num_downs=6, ngf=4),
        "patch": nn.patch_discriminator(ndf=4),
        "pixel": nn.pixel_discriminator(ndf=4),
    }
    shapes = {k: tuple(np.asarray(m(x)).shape) for k, m in nets.items()}
    assert shapes == {"resnet": (2, 64, 64, 3), "resnet_nearest": (2, 64, 64, 3),
                      "unet": (2, 64, 64, 3), "patch": (2, 6, 6, 1),
                      "pixel": (2, 64, 64, 1)}, shapes

    # AlwaysDropout and BatchNorm inside a jitted stateless call (as a training step runs)
    unet = nets["unet"]
    @jax.jit
    def step(trainable, non_trainable, x):
        return unet.stateless_call(trainable, non_trainable, x, training=True)
    tv = [v.value for v in unet.trainable_variables]
    ntv = [v.value for v in unet.non_trainable_variables]
    y1, ntv = step(tv, ntv, x)
    y2, ntv = step(tv, ntv, x)
    assert y1.shape == (2, 64, 64, 3) and not np.allclose(y1, y2)

    # models saved by the TensorFlow backend give the same outputs here
    ref = np.load(folder + "/ref.npz")
    for name in ("resnet", "unet", "patch"):
        model = keras.saving.load_model(f"{folder}/{name}.keras", safe_mode=True)
        got = np.asarray(model(ref["x"], training=False))
        np.testing.assert_allclose(got, ref[name], rtol=1e-4, atol=2e-5)
    print("JAX-OK")
""")


def test_networks_on_jax_match_tensorflow(tmp_path):
    x = np.random.default_rng(1).uniform(-1, 1, (1, 32, 64, 6)).astype("float32")
    tf_models = {
        "resnet": resnet_generator(6, 3, ngf=4, n_blocks=1, seed=0),
        "unet": unet_generator(6, 3, num_downs=5, ngf=4, norm="batch",
                               dropout_at_inference=False, seed=0),
        "patch": patch_discriminator(6, ndf=4, norm="instance", seed=0),
    }
    expected = {}
    for name, model in tf_models.items():
        model.save(tmp_path / f"{name}.keras")
        expected[name] = keras.ops.convert_to_numpy(model(x, training=False))
    np.savez(tmp_path / "ref.npz", x=x, **expected)

    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    result = subprocess.run([sys.executable, "-c", JAX_CODE, str(tmp_path)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "JAX-OK" in result.stdout
