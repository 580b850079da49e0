"""Losses for conditional GANs, in pure Keras 3 ops, computed in float32.

- :mod:`cgtk.losses.adversarial`: ``generator_adversarial``, ``discriminator_adversarial``
  for lsgan, vanilla, hinge and wgangp (the gradient penalty lives in the engine).
- :mod:`cgtk.losses.pixel`: ``l1``, ``mse``.

>>> import numpy as np
>>> from cgtk import losses
>>> float(losses.l1(np.zeros(4), np.ones(4)))
1.0
"""
from cgtk.losses.adversarial import (
    GAN_MODES,
    bce_with_logits,
    discriminator_adversarial,
    generator_adversarial,
)
from cgtk.losses.pixel import l1, mse

# Perceptual (VGG) losses live in cgtk/losses/perceptual.py (added separately). They are
# deliberately not imported here: that module loads VGG weights, and importing
# cgtk.losses must stay light. Use ``from cgtk.losses.perceptual import ...``.

__all__ = [
    "GAN_MODES",
    "bce_with_logits",
    "discriminator_adversarial",
    "generator_adversarial",
    "l1",
    "mse",
]
