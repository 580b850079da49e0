"""Every network builds and runs on the other backend too, with the same numbers.

The backend is fixed when Keras is first imported, so the other backend runs in a
subprocess (``helpers.run_python``): JAX when this suite runs on TensorFlow (the default)
and TensorFlow under ``KERAS_BACKEND=jax pytest``. JAX compiles each weight initialiser
eagerly; XLA's backend optimisation level 0 makes those compiles ~4x faster.
"""
import keras
import numpy as np
from helpers import run_python

import cgtk.nn

# name -> (builder, kwargs), built on both backends
NETS = {
    "resnet": ("resnet_generator", {"ngf": 4, "n_blocks": 1, "seed": 0}),
    "resnet_nearest": ("resnet_generator", {"ngf": 4, "n_blocks": 1, "norm": "batch",
                                            "upsample": "nearest", "seed": 0}),
    "unet": ("unet_generator", {"num_downs": 6, "ngf": 4, "dropout_at_inference": False,
                                "seed": 0}),
    "patch": ("patch_discriminator", {"ndf": 4, "seed": 0}),
    "pixel": ("pixel_discriminator", {"ndf": 4, "norm": "batch", "seed": 0}),
}
SHAPES = {"resnet": (2, 64, 64, 3), "resnet_nearest": (2, 64, 64, 3), "unet": (2, 64, 64, 3),
          "patch": (2, 6, 6, 1), "pixel": (2, 64, 64, 1)}

OTHER_CODE = """
import numpy as np, keras
from cgtk import nn
assert keras.backend.backend() == {backend!r}
folder, nets = {folder!r}, {nets!r}
ref = np.load(folder + "/ref.npz")
x = ref["x"]
for name, (builder, kwargs) in nets.items():
    model = getattr(nn, builder)(**kwargs)
    model.set_weights([ref[f"{{name}}/{{i}}"] for i in range(len(model.weights))])
    got = np.asarray(model.predict(x, verbose=0))
    np.testing.assert_allclose(got, ref[name], rtol=1e-4, atol=2e-5, err_msg=name)

# a .keras file with custom layers saved on the first backend loads and runs the same
loaded = keras.saving.load_model(folder + "/resnet.keras", safe_mode=True)
np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), ref["resnet"],
                           rtol=1e-4, atol=2e-5)

# AlwaysDropout in a stateless (on JAX: jitted) call, as a compiled training step runs it:
# its seed state is a non-trainable variable, so each call draws a new mask. (Instance
# norm keeps the deep path's contribution visible at init.)
unet = nn.unet_generator(num_downs=6, ngf=4, norm="instance")
def step(trainable, non_trainable, x):
    return unet.stateless_call(trainable, non_trainable, x, training=False)
if keras.backend.backend() == "jax":
    import jax
    step = jax.jit(step)
tv = [v.value for v in unet.trainable_variables]
ntv = [v.value for v in unet.non_trainable_variables]
y1, ntv = step(tv, ntv, x)
y2, ntv = step(tv, ntv, x)
y1, y2 = keras.ops.convert_to_numpy(y1), keras.ops.convert_to_numpy(y2)
assert y1.shape == x.shape, y1.shape
assert np.abs(y1 - y2).max() > 1e-3
print("OTHER-BACKEND-OK")
"""


def test_networks_match_on_the_other_backend(tmp_path):
    x = np.random.default_rng(1).uniform(-1, 1, (2, 64, 64, 3)).astype("float32")
    arrays = {"x": x}
    for name, (builder, kwargs) in NETS.items():
        model = getattr(cgtk.nn, builder)(**kwargs)
        y = keras.ops.convert_to_numpy(model(x, training=False))
        assert y.shape == SHAPES[name]
        arrays[name] = y
        for i, w in enumerate(model.weights):
            arrays[f"{name}/{i}"] = keras.ops.convert_to_numpy(w)
        if name == "resnet":
            model.save(tmp_path / "resnet.keras")
    np.savez(tmp_path / "ref.npz", **arrays)

    other = "tensorflow" if keras.backend.backend() == "jax" else "jax"
    code = OTHER_CODE.format(backend=other, folder=str(tmp_path), nets=NETS)
    result = run_python(code, backend=other, timeout=300, JAX_PLATFORMS="cpu",
                        XLA_FLAGS="--xla_backend_optimization_level=0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "OTHER-BACKEND-OK" in result.stdout
