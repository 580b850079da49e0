import keras

from cgtk.nn import network_summary, patch_discriminator, required_multiple, unet_generator


def test_network_summary_keys_and_counts():
    d = patch_discriminator(6, ndf=4, norm="batch", name="D")
    s = network_summary(d)
    assert set(s) == {"name", "params", "trainable_params", "input", "output"}
    assert s["name"] == "D" and s["params"] == d.count_params()
    assert s["params"] - s["trainable_params"] == 2 * (8 + 16 + 32)
    assert (s["input"], s["output"]) == ("?x?x6", "?x?x1")


def test_required_multiple_inferred_from_strides():
    g = unet_generator(num_downs=5, ngf=2)
    assert required_multiple(g) == 32
    del g.cgtk_multiple
    assert required_multiple(g) == 32
    inputs = keras.Input((None, None, 3))
    plain = keras.Model(inputs, keras.layers.Conv2D(2, 3, strides=2)(
        keras.layers.MaxPooling2D(2)(inputs)))
    assert required_multiple(plain) == 4
    assert required_multiple(keras.Model(inputs, plain(inputs))) == 4  # nested models
