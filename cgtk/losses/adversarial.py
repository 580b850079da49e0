"""Adversarial (GAN) losses on discriminator logits, in float32 (reference ``GANLoss``).

Modes:

========  ===================================  ======================================
mode      generator                            discriminator
========  ===================================  ======================================
lsgan     mean((D(G(x)) - 1)^2)                0.5 * (mean((D(y) - 1)^2) + mean(D(G(x))^2))
vanilla   BCE(D(G(x)), 1)                      0.5 * (BCE(D(y), 1) + BCE(D(G(x)), 0))
hinge     -mean(D(G(x)))                       mean(relu(1 - D(y))) + mean(relu(1 + D(G(x))))
wgangp    -mean(D(G(x)))                       mean(D(G(x))) - mean(D(y))
========  ===================================  ======================================

``BCE`` is binary cross-entropy on logits, computed stably as
``max(z, 0) - z * t + log(1 + exp(-|z|))``. For lsgan and vanilla the discriminator loss
is the mean of the real and fake terms, as the reference's models compute
``loss_D = (loss_D_real + loss_D_fake) * 0.5`` (it slows D relative to G). hinge
(Lim & Ye 2017; Miyato et al. 2018) and wgangp (Gulrajani et al. 2017) use their papers'
sums, so the gradient-penalty weight (lambda = 10) keeps its published meaning.

**wgangp's gradient penalty is not here**: ``lambda * mean((||grad_xhat D(xhat)||_2 - 1)^2)``
at random interpolates ``xhat = eps * y + (1 - eps) * G(x)`` needs nested differentiation,
which is backend-specific, so the training engine adds it to the critic loss.

Logits of any shape (PatchGAN maps, per-pixel maps) are averaged over every element. Inputs
are cast to float32 first, so mixed-precision discriminators give float32 losses.

>>> import numpy as np
>>> from cgtk.losses import generator_adversarial, discriminator_adversarial
>>> float(generator_adversarial(np.ones((2, 4, 4, 1)), "lsgan"))
0.0
>>> float(discriminator_adversarial(np.ones((2, 4, 4, 1)), -np.ones((2, 4, 4, 1)), "hinge"))
0.0
"""
from __future__ import annotations

from keras import ops

GAN_MODES = ("lsgan", "vanilla", "hinge", "wgangp")


def _f32(x):
    return ops.cast(ops.convert_to_tensor(x), "float32")


def _check_mode(mode):
    if mode not in GAN_MODES:
        raise ValueError(f"unknown GAN mode {mode!r}; expected one of {', '.join(GAN_MODES)}")


def bce_with_logits(logits, target):
    """Mean binary cross-entropy of ``logits`` against a constant ``target``, stable.

    >>> round(float(bce_with_logits([0.0], 1.0)), 6)  # log 2
    0.693147
    """
    z = _f32(logits)
    return ops.mean(ops.relu(z) - z * target + ops.log1p(ops.exp(-ops.abs(z))))


def _target_loss(logits, mode, target):
    z = _f32(logits)
    if mode == "lsgan":
        return ops.mean(ops.square(z - target))
    return bce_with_logits(z, target)


def generator_adversarial(fake_logits, mode: str = "lsgan", *, real_label: float = 1.0):
    """The generator's adversarial loss on ``D(G(x))`` logits: a float32 scalar.

    ``real_label`` is the lsgan/vanilla target the generator aims for (the
    reference's ``target_real_label``, 1.0).

    >>> import numpy as np
    >>> round(float(generator_adversarial(np.zeros((1, 2, 2, 1)), "vanilla")), 6)
    0.693147
    """
    _check_mode(mode)
    if mode in ("hinge", "wgangp"):
        return -ops.mean(_f32(fake_logits))
    return _target_loss(fake_logits, mode, real_label)


def discriminator_adversarial(real_logits, fake_logits, mode: str = "lsgan", *,
                              real_label: float = 1.0, fake_label: float = 0.0):
    """The discriminator's (critic's) adversarial loss: a float32 scalar.

    For lsgan and vanilla, ``0.5 * (loss(real, real_label) + loss(fake, fake_label))``
    as the reference; for hinge and wgangp, the plain sum of the two terms. wgangp's
    gradient penalty is added by the engine (see the module docstring).

    >>> import numpy as np
    >>> float(discriminator_adversarial(np.ones(3), np.zeros(3), "lsgan"))
    0.0
    >>> float(discriminator_adversarial(np.ones(3), np.zeros(3), "wgangp"))
    -1.0
    """
    _check_mode(mode)
    real, fake = _f32(real_logits), _f32(fake_logits)
    if mode == "hinge":
        return ops.mean(ops.relu(1.0 - real)) + ops.mean(ops.relu(1.0 + fake))
    if mode == "wgangp":
        return ops.mean(fake) - ops.mean(real)
    return 0.5 * (_target_loss(real, mode, real_label) + _target_loss(fake, mode, fake_label))
