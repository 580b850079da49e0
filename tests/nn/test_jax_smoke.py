"""Every network builds and runs on the JAX backend, and matches TensorFlow numerically.

The backend is fixed when Keras is first imported, so the JAX run is a subprocess. JAX
compiles each weight initialiser eagerly; XLA's backend optimisation level 0 makes those
compiles ~4x faster, which keeps this test short.
"""
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np

from cgtk import nn

# name -> builder call, evaluated on both backends
NETS = {
    "resnet": "nn.resnet_generator(ngf=4, n_blocks=1, seed=0)",
    "resnet_nearest": "nn.resnet_generator(ngf=4, n_blocks=1, norm='batch', "
                      "upsample='nearest', seed=0)",
    "unet": "nn.unet_generator(num_downs=6, ngf=4, dropout_at_inference=False, seed=0)",
    "patch": "nn.patch_discriminator(ndf=4, seed=0)",
    "pixel": "nn.pixel_discriminator(ndf=4, norm='batch', seed=0)",
}
SHAPES = {"resnet": (2, 64, 64, 3), "resnet_nearest": (2, 64, 64, 3), "unet": (2, 64, 64, 3),
          "patch": (2, 6, 6, 1), "pixel": (2, 64, 64, 1)}

JAX_CODE = textwrap.dedent("""
    import sys
    import numpy as np, jax, keras
    from cgtk import nn
    assert keras.backend.backend() == "jax"
    folder, nets = sys.argv[1], eval(sys.argv[2])
    ref = np.load(folder + "/ref.npz")
    x = ref["x"]
    for name, call in nets.items():
        model = eval(call)
        model.set_weights([ref[f"{name}/{i}"] for i in range(len(model.weights))])
        got = np.asarray(model.predict(x, verbose=0))
        np.testing.assert_allclose(got, ref[name], rtol=1e-4, atol=2e-5, err_msg=name)

    # a TensorFlow-saved .keras file with custom layers loads and runs the same here
    loaded = keras.saving.load_model(folder + "/resnet.keras", safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), ref["resnet"],
                               rtol=1e-4, atol=2e-5)

    # AlwaysDropout inside a jitted stateless call (as a compiled step runs): its seed
    # state is a non-trainable variable, so each call draws a new mask. (Instance norm
    # keeps the deep path's contribution visible at init.)
    unet = nn.unet_generator(num_downs=6, ngf=4, norm="instance")
    @jax.jit
    def step(trainable, non_trainable, x):
        return unet.stateless_call(trainable, non_trainable, x, training=False)
    tv = [v.value for v in unet.trainable_variables]
    ntv = [v.value for v in unet.non_trainable_variables]
    y1, ntv = step(tv, ntv, x)
    y2, ntv = step(tv, ntv, x)
    assert y1.shape == x.shape, y1.shape
    assert np.abs(np.asarray(y1) - np.asarray(y2)).max() > 1e-3
    print("JAX-OK")
""")


def test_networks_on_jax_match_tensorflow(tmp_path):
    x = np.random.default_rng(1).uniform(-1, 1, (2, 64, 64, 3)).astype("float32")
    arrays = {"x": x}
    for name, call in NETS.items():
        model = eval(call)
        y = keras.ops.convert_to_numpy(model(x, training=False))
        assert y.shape == SHAPES[name]
        arrays[name] = y
        for i, w in enumerate(model.weights):
            arrays[f"{name}/{i}"] = keras.ops.convert_to_numpy(w)
        if name == "resnet":
            model.save(tmp_path / "resnet.keras")
    np.savez(tmp_path / "ref.npz", **arrays)

    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu",
           "XLA_FLAGS": "--xla_backend_optimization_level=0"}
    result = subprocess.run([sys.executable, "-c", JAX_CODE, str(tmp_path), repr(NETS)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "JAX-OK" in result.stdout
