"""CycleGAN's ImagePool: the reference's ``ImagePool.query`` semantics, eagerly, under
``tf.function`` and under ``jax.jit`` with a ``StatelessScope`` (as the engine runs it)."""
import json

import keras
import numpy as np
import pytest
from cgtk_cyclegan.pool import ImagePool
from helpers import run_python

SHAPE = (2, 2, 1)


def batch(values):
    """Images whose every pixel is the given value: one image per value."""
    return np.asarray(values, "float32").reshape(-1, 1, 1, 1) * np.ones((1, *SHAPE), "float32")


def ids(images):
    return [float(v) for v in np.asarray(images)[:, 0, 0, 0]]


def state(pool):
    return ids(pool.buffer.numpy()), int(pool.count.numpy())


def test_fills_first_then_returns_input_or_a_stored_image():
    pool = ImagePool(4, SHAPE, seed=0)
    assert ids(pool(batch([1, 2]))) == [1, 2]            # filling: returned as they are
    assert ids(pool(batch([3, 4]))) == [3, 4]
    assert state(pool) == ([1, 2, 3, 4], 4)
    seen = {1.0, 2.0, 3.0, 4.0}
    swaps = 0
    for step in range(30):
        new = [10.0 + 2 * step, 11.0 + 2 * step]
        before = state(pool)[0]
        out = ids(pool(batch(new)))
        after = state(pool)[0]
        for got, fed in zip(out, new, strict=True):   # image by image: an earlier image of the same
            assert got == fed or got in seen, (got, fed)   # batch may come back already
            swaps += got != fed
            seen.add(fed)
        # nothing is lost or duplicated: what went in == what came out + what stayed
        assert sorted(before + new) == sorted(after + out)
    assert state(pool)[1] == 4 and 0 < swaps < 60


def test_returns_a_stored_image_half_the_time():
    pool = ImagePool(50, SHAPE, seed=3)
    pool(batch(np.arange(50)))                            # fill
    returned_input, n = 0, 0
    for k in range(10):                                   # 500 draws
        new = 1000 + 50 * k + np.arange(50)
        out = ids(pool(batch(new)))
        returned_input += sum(a == b for a, b in zip(out, new, strict=True))
        n += len(new)
    # binomial(500, 0.5): std 0.022; 0.42..0.58 is 3.6 std (a p of 0.3 or 0.7 fails)
    assert 0.42 < returned_input / n < 0.58


def test_pool_size_zero_is_the_identity():
    pool = ImagePool(0, SHAPE, seed=0)
    x = batch([5, 6])
    np.testing.assert_array_equal(pool(x), x)
    assert int(pool.count.numpy()) == 0


def test_state_is_non_trainable_and_seeded():
    pool = ImagePool(3, SHAPE, seed=7)
    assert pool.trainable_weights == []
    assert {v.name for v in pool.non_trainable_variables} >= {"buffer", "count"}
    assert tuple(pool.buffer.shape) == (3, *SHAPE)
    twin = ImagePool.from_config(pool.get_config())
    assert (twin.pool_size, twin.image_shape, twin.seed) == (3, SHAPE, 7)
    outs = []
    for p in (pool, twin):
        outs.append([ids(p(batch([4 * i, 4 * i + 1]))) for i in range(10)])
    assert outs[0] == outs[1]                             # same seed, same choices


def test_stores_float32_and_rejects_another_shape():
    pool = ImagePool(2, SHAPE, seed=0)   # mixed precision: bf16 fakes are kept in float32
    out = pool(keras.ops.cast(batch([1, 2]), "bfloat16"))
    assert ids(out) == [1, 2] and pool.buffer.dtype == "float32"
    with pytest.raises(ValueError, match="shape"):
        pool(np.zeros((1, 3, 3, 1), "float32"))


@pytest.mark.tensorflow_only
@pytest.mark.parametrize("jit", [False, True])
def test_works_in_a_tf_function(jit):
    import tensorflow as tf

    pool = ImagePool(4, SHAPE, seed=1)
    query = tf.function(pool.__call__, jit_compile=jit)
    assert ids(query(tf.constant(batch([1, 2])))) == [1, 2]
    assert ids(query(tf.constant(batch([3, 4])))) == [3, 4]
    assert state(pool) == ([1, 2, 3, 4], 4)
    seen = {1.0, 2.0, 3.0, 4.0}
    outs = []
    for step in range(10):
        new = [10.0 + 2 * step, 11.0 + 2 * step]
        out = ids(query(tf.constant(batch(new))))
        for g, f in zip(out, new, strict=True):
            assert g == f or g in seen
            seen.add(f)
        outs.extend(o != f for o, f in zip(out, new, strict=True))
    assert 0 < sum(outs) < len(outs)                      # both branches were taken


def test_works_under_jax_jit_in_a_stateless_scope():
    code = """
    import json, numpy as np, jax, keras
    from cgtk_cyclegan.pool import ImagePool
    pool = ImagePool(4, (2, 2, 1), seed=1)

    @jax.jit
    def query(values, images):       # the engine's pattern: pure function of the state
        mapping = list(zip(pool.non_trainable_variables, values))
        with keras.StatelessScope(state_mapping=mapping) as scope:
            out = pool(images)
        return out, [scope.get_current_value(v) for v in pool.non_trainable_variables]

    values = [v.value for v in pool.non_trainable_variables]
    outs = []
    for step in range(12):
        x = (np.float32([2 * step + 1, 2 * step + 2]).reshape(2, 1, 1, 1)
             * np.ones((2, 2, 2, 1), "float32"))
        out, values = query(values, x)
        outs.append(np.asarray(out)[:, 0, 0, 0].tolist())
    count = int(values[[v.name for v in pool.non_trainable_variables].index("count")])
    print("RESULT " + json.dumps({"outs": outs, "count": count}))
    """
    result = run_python(code, backend="jax")
    line = [ln for ln in result.stdout.splitlines() if ln.startswith("RESULT ")]
    assert result.returncode == 0 and line, result.stderr[-2000:]
    data = json.loads(line[0][len("RESULT "):])
    outs = data["outs"]
    assert outs[:2] == [[1, 2], [3, 4]] and data["count"] == 4
    seen = {1.0, 2.0, 3.0, 4.0}
    swapped = 0
    for step, out in enumerate(outs[2:], start=2):
        fed = [2 * step + 1, 2 * step + 2]
        for g, f in zip(out, fed, strict=True):
            assert g == f or g in seen, (step, out)
            swapped += g != f
            seen.add(f)
    assert 0 < swapped < 20
