"""cgtk.testing.check_plugin passes a working plugin on every installed backend and
catches a broken one."""
import pytest
from keras import ops
from toyplugin.model import ToyGAN

from cgtk.testing import PluginCheckError, check_plugin


def test_check_plugin_on_every_backend(toy_site):
    results = check_plugin(ToyGAN, backends="all")
    assert set(results) == {"tensorflow", "jax"}
    for result in results.values():
        assert {"G_l1", "loss_generator", "loss_discriminator"} <= set(result["terms"])
        assert result["outputs"]["generator"][1:] == [32, 32, 3]


def test_check_plugin_reports_a_phase_that_does_not_train(toy_site):
    class Frozen(ToyGAN):
        def phases(self):
            phases = super().phases()
            phases[1].loss = lambda batch, carry: (0.0 * ops.sum(self.D(
                ops.concatenate([batch[0], batch[1]], -1))), {})
            return phases

    with pytest.raises(PluginCheckError, match="phase 'discriminator' did not change"):
        check_plugin(Frozen)


def test_check_plugin_rejects_unknown_overrides(toy_site):
    with pytest.raises(PluginCheckError, match="unknown config key"):
        check_plugin(ToyGAN, overrides={"colour": 1})


def test_check_plugin_uses_the_tiny_config_as_given_and_says_what_it_sets(toy_site):
    """It used to put its own image_size/batch_size first, without a word."""
    class Sized(ToyGAN):
        tiny_config = {"image_size": 48, "batch_size": 3}

    with pytest.warns(UserWarning) as caught:
        result = next(iter(check_plugin(Sized).values()))
    assert result["outputs"]["generator"][1:] == [48, 48, 3]
    assert "image_size" not in result["set_by_check"]
    assert "batch_size" not in result["set_by_check"]
    said = " ".join(str(w.message) for w in caught if "check_plugin sets" in str(w.message))
    assert "image_size" not in said and "batch_size" not in said
