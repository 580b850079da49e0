"""Losses for conditional GANs, in pure Keras 3 ops, computed in float32.

- :mod:`cgtk.losses.adversarial`: ``generator_adversarial``, ``discriminator_adversarial``
  for lsgan, vanilla, hinge and wgangp; :func:`gradient_penalty` for wgangp.
- :mod:`cgtk.losses.pixel`: ``l1``, ``mse``.
- :mod:`cgtk.losses.perceptual`: ``VGGFeatures``, ``feature_loss``, ``gram_matrix``,
  ``style_loss``, ``total_variation``, ``srgan_vgg``, ``srgan_content_loss``. They are
  imported on first use (building VGG loads weights; importing cgtk.losses stays light).

>>> import numpy as np
>>> from cgtk import losses
>>> float(losses.l1(np.zeros(4), np.ones(4)))
1.0
"""
import importlib

from cgtk.losses.adversarial import (
    GAN_MODES,
    bce_with_logits,
    discriminator_adversarial,
    generator_adversarial,
)
from cgtk.losses.pixel import l1, mse

_PERCEPTUAL = ("VGGFeatures", "feature_loss", "gram_matrix", "style_loss", "total_variation",
               "srgan_vgg", "srgan_content_loss", "vgg_preprocess")


def gradient_penalty(critic, real, fake, weight=10.0, seed=None):
    """WGAN-GP: ``weight * E[(||grad critic(x_hat)||_2 - 1)^2]`` on random interpolates
    of ``real`` and ``fake`` (Gulrajani et al. 2017).

    It needs a gradient inside the loss, so it is implemented once per backend in
    :mod:`cgtk.engine.backend`; plugins call this and stay backend-free. Pass
    ``seed=`` a ``keras.random.SeedGenerator`` held by the model.
    """
    from cgtk.engine import backend

    return backend.current().gradient_penalty(critic, real, fake, weight=weight, seed=seed)


def __getattr__(name):
    if name in _PERCEPTUAL:
        value = getattr(importlib.import_module("cgtk.losses.perceptual"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cgtk.losses' has no attribute {name!r}")


__all__ = [
    "GAN_MODES",
    "bce_with_logits",
    "discriminator_adversarial",
    "generator_adversarial",
    "gradient_penalty",
    "l1",
    "mse",
    *_PERCEPTUAL,
]
