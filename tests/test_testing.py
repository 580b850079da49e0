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
