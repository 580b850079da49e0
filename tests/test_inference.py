"""cgtk.inference: any-size padding, blended tiles (tiled == untiled), batching, files."""
import keras
import numpy as np
import pytest

from cgtk.errors import CgtkError
from cgtk.inference import Predictor, infer_files, list_inputs, pad_to_multiple, tiled_apply
from cgtk.inference.tiles import axis_window, plan_tiles

#: tiled vs untiled, max |difference| on [-1, 1] outputs, for fully-convolutional nets
#: whose receptive-field radius is at most overlap // 4 input pixels (float32 rounding).
TILE_TOL = 1e-4


def conv_net(seed=0):
    """3 x conv3x3: receptive-field radius 3 px."""
    keras.utils.set_random_seed(seed)
    inp = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    return keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x))


def strided_net(seed=1):
    """Down by 4 and back up (needs multiple 4): radius well under 8 input px."""
    keras.utils.set_random_seed(seed)
    inp = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(inp)
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = keras.layers.Conv2DTranspose(8, 4, strides=2, padding="same", activation="relu")(x)
    x = keras.layers.Conv2DTranspose(8, 4, strides=2, padding="same", activation="relu")(x)
    return keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x))


def sr_net(seed=2):
    """x4 super-resolution: conv, upsample by 4, conv."""
    keras.utils.set_random_seed(seed)
    inp = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = keras.layers.UpSampling2D(4)(x)
    return keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x))


@pytest.fixture(scope="module")
def odd_image():
    return np.random.default_rng(0).uniform(-1, 1, (333, 517, 3)).astype("float32")


def test_pad_to_multiple_reflects_and_keeps_size():
    x = np.arange(5 * 7 * 1, dtype="float32").reshape(5, 7, 1)
    p, (h, w) = pad_to_multiple(x, 4)
    assert p.shape == (8, 8, 1) and (h, w) == (5, 7)
    assert p[5, 0, 0] == x[3, 0, 0] and p[0, 7, 0] == x[0, 5, 0]  # reflection, not zeros
    assert pad_to_multiple(x, 1)[0] is x


def test_windows_are_a_partition_of_unity_where_tiles_meet():
    t, ov = 64, 16
    a = axis_window(t, True, False, ov)
    b = axis_window(t, False, True, ov)
    step = t - ov
    total = np.zeros(t + step)
    total[:t] += a
    total[step:] += b
    np.testing.assert_allclose(total, 1.0, atol=1e-12)
    assert a[-ov // 4:].max() == 0 and b[:ov // 4].max() == 0


def test_tiles_start_at_the_multiple():
    tile, ys, xs = plan_tiles(336, 520, 100, 30, multiple=4)
    assert tile % 4 == 0 and all(y % 4 == 0 for y in ys + xs)
    assert ys[-1] + tile == 336 and xs[-1] + tile == 520
    with pytest.raises(CgtkError, match="--overlap"):
        plan_tiles(64, 64, 32, 40)


@pytest.mark.parametrize("net, multiple, scale, tile, overlap", [
    (conv_net, 1, 1, 128, 16),
    (strided_net, 4, 1, 128, 32),
    (sr_net, 1, 4, 96, 16),
])
def test_tiled_equals_untiled_at_an_odd_size(net, multiple, scale, tile, overlap, odd_image):
    model = net()
    x = odd_image if scale == 1 else odd_image[:120, :150]
    whole = Predictor(model, multiple=multiple, scale=scale)([x])[0]
    tiled = Predictor(model, multiple=multiple, scale=scale, tile=tile, overlap=overlap,
                      batch_size=4)([x])[0]
    assert whole.shape == (x.shape[0] * scale, x.shape[1] * scale, 3)
    assert tiled.shape == whole.shape
    diff = float(np.abs(tiled - whole).max())
    assert diff < TILE_TOL, diff
    # the check can fail: without blending margins (overlap 0) the seams differ
    seams = Predictor(model, multiple=multiple, scale=scale, tile=tile, overlap=0)([x])[0]
    assert np.abs(seams - whole).max() > 10 * TILE_TOL


def test_numpy_tiling_is_exact_for_pointwise_functions(odd_image):
    y = tiled_apply(lambda b: np.tanh(b), odd_image, tile=64, overlap=16, multiple=8)
    np.testing.assert_allclose(y, np.tanh(odd_image), atol=1e-6)


def test_same_size_images_are_batched():
    calls = []
    model = conv_net()

    class Spy(Predictor):
        def forward(self, batch):
            calls.append(batch.shape[0])
            return super().forward(batch)

    imgs = [np.zeros((20, 30, 3), "float32")] * 5 + [np.zeros((21, 30, 3), "float32")]
    outs = Spy(model, batch_size=4)(imgs)
    assert sorted(calls) == [1, 1, 4] and [o.shape[:2] for o in outs][-1] == (21, 30)


def test_infer_files_skips_unreadable_and_keeps_names(tmp_path):
    from PIL import Image

    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    Image.new("RGBA", (33, 17), (10, 200, 30, 128)).save(src / "a.png")
    Image.new("I;16", (20, 21)).save(src / "sub" / "b.png")
    (src / "broken.jpg").write_bytes(b"\xff\xd8garbage")
    (src / "notes.txt").write_text("x")
    files, ignored = list_inputs(src, recursive=True)
    assert ignored == 1 and len(files) == 3
    report = infer_files(Predictor(conv_net(), multiple=4), files, tmp_path / "out", fmt="jpg")
    assert [p.name for p, _ in report.skipped] == ["broken.jpg"]
    assert (tmp_path / "out" / "a.jpg").is_file() and (tmp_path / "out/sub/b.jpg").is_file()
    assert Image.open(tmp_path / "out" / "a.jpg").size == (33, 17)
