"""ESRGAN (Wang et al. 2018): RRDBNet trained with L1 + VGG19 conv5_4 (before the ReLU)
+ a relativistic average GAN against a VGG-style discriminator; or, with ``--set
stage=psnr``, the PSNR-oriented first stage (L1 only; no discriminator or VGG is built).

Data: ``single`` (batches ``(lr, hr)`` in [-1, 1], LR bicubic-downscaled from HR).
The GAN stage keeps an EMA of G (``ema_decay`` 0.999, BasicSR's yml), which is what
inference uses; the psnr stage has none by default. Start the GAN stage from a PSNR run with ``cgtk train esrgan --init-from RUN_DIR``.

>>> from cgtk_esrgan.esrgan import ESRGAN
>>> m = ESRGAN(ESRGAN.Config(stage="psnr", n_blocks=1, n_feats=8, growth=4, scale=2))
>>> [p.name for p in m.phases()], sorted(m.networks())
(['generator'], ['G'])
>>> m = ESRGAN(ESRGAN.Config(stage="psnr", ema_decay=0.999, n_blocks=1, n_feats=8,
...                          growth=4, scale=2))
>>> sorted(m.networks()), m.inference_networks()["generator"].network.name
(['G', 'G_ema'], 'G_ema')
"""
from __future__ import annotations

from keras import ops

import cgtk
from cgtk import Inference
from cgtk.losses.perceptual import VGGFeatures, feature_l1_loss
from cgtk_esrgan import schedules
from cgtk_esrgan.config import ESRGANConfig
from cgtk_esrgan.discriminators import unet_discriminator_sn, vgg_style_discriminator
from cgtk_esrgan.ema import WeightEMA
from cgtk_esrgan.rrdbnet import rrdbnet


def bce(logits, target: float):
    """Mean binary cross-entropy of ``logits`` against a constant label, in float32."""
    from cgtk.losses import bce_with_logits

    return ops.mean(bce_with_logits(ops.cast(logits, "float32"), target))


def ragan_generator_loss(real_logits, fake_logits):
    """RaGAN for G (ESRGAN eq. 3): ``(BCE(real - E[fake], 0) + BCE(fake - E[real], 1)) / 2``."""
    real_logits = ops.stop_gradient(real_logits)
    return 0.5 * (bce(real_logits - ops.mean(fake_logits), 0.0)
                  + bce(fake_logits - ops.mean(real_logits), 1.0))


def ragan_discriminator_loss(real_logits, fake_logits):
    """RaGAN for D (ESRGAN eq. 2): ``(BCE(real - E[fake], 1) + BCE(fake - E[real], 0)) / 2``.

    As BasicSR's ESRGANModel, each half centres on the *other* prediction held
    constant (``detach``).
    """
    real_term = bce(real_logits - ops.mean(ops.stop_gradient(fake_logits)), 1.0)
    fake_term = bce(fake_logits - ops.mean(ops.stop_gradient(real_logits)), 0.0)
    return 0.5 * real_term, 0.5 * fake_term


def unit_l1(a, b):
    """L1 on [0, 1] images (BasicSR's scale) of two [-1, 1] images."""
    return 0.5 * ops.mean(ops.abs(ops.cast(a, "float32") - ops.cast(b, "float32")))


class ESRGAN(cgtk.GANModel):
    """ESRGAN: phases "generator" (and "discriminator" in the GAN stage)."""

    Config = ESRGANConfig
    tiny_config = {"n_blocks": 1, "n_feats": 8, "growth": 4, "ndf": 4, "scale": 2,
                   "vgg_weights": "none", "epoch_length": 4,
                   "vgg_layers": ("conv1_2_pre",), "vgg_layer_weights": (1.0,)}  # check_plugin

    def __init__(self, config=None):
        super().__init__(config)
        c = self.config
        seed = c.init_seed if c.init_seed is not None else c.seed
        arch = {"scale": c.scale, "n_blocks": c.n_blocks, "n_feats": c.n_feats,
                "growth": c.growth, "upsample_skip": c.upsample_skip,
                "x2_layout": c.x2_layout}
        if self.unshuffles() and c.image_size % 4:
            raise cgtk.CgtkError(f"image_size={c.image_size}: x2_layout=unshuffle needs LR "
                                 "crops of even size", hint="use an image_size that is a "
                                 "multiple of 4")
        self.G = rrdbnet(**arch, seed=seed, name="G")
        # The EMA of G (cgtk_esrgan.ema): a second RRDBNet, non-trainable, checkpointed;
        # it is the inference network. None when ema_decay is 0.
        self.G_ema, self.ema = None, None
        if c.ema() > 0:
            self.G_ema = rrdbnet(**arch, name="G_ema")
            self.ema_steps = self.add_weight(shape=(), dtype="int32", initializer="zeros",
                                             trainable=False, name="ema_steps")
            self.ema = WeightEMA(self.G, self.G_ema, c.ema(), steps=self.ema_steps)
        if c.stage == "gan":
            d_seed = None if seed is None else seed + 1000
            if c.discriminator == "vgg":
                if c.image_size % 32:
                    raise cgtk.CgtkError(
                        f"image_size={c.image_size}: the VGG-style discriminator needs a "
                        "crop that is a multiple of 32", hint="use --image-size 128 (the "
                        "reference) or --set discriminator=unet")
                self.D = vgg_style_discriminator(nf=c.ndf, input_size=c.image_size,
                                                 seed=d_seed, name="D")
            else:
                self.D = unet_discriminator_sn(nf=c.ndf, seed=d_seed, name="D")
        # Built when training starts (phases()), never for the psnr stage or inference.
        self.vgg = None

    # ------------------------------------------------------------- losses ---

    def loss_network(self) -> VGGFeatures | None:
        c = self.config
        if c.stage == "gan" and c.perceptual_weight > 0 and self.vgg is None:
            if len(c.vgg_layer_weights) != len(c.vgg_layers):
                raise cgtk.CgtkError(
                    f"vgg_layer_weights has {len(c.vgg_layer_weights)} entries for "
                    f"{len(c.vgg_layers)} vgg_layers", hint="give one weight per layer")
            self.vgg = VGGFeatures("vgg19", list(c.vgg_layers), weights=c.vgg_weights,
                                   rescale=c.vgg_rescale, name="vgg")
        return self.vgg

    def perceptual_loss(self, sr, hr):
        net = self.loss_network()
        if net is None:
            return None
        return feature_l1_loss(net(sr), net(ops.stop_gradient(hr)),
                               list(self.config.vgg_layer_weights))

    def psnr_loss(self, batch, carry):
        lr, hr = batch
        l1 = unit_l1(self.G(lr, training=True), hr)
        return l1, {"G_l1": l1}

    def content_terms(self, batch, carry):
        """G's output (put in ``carry``) and its weighted L1 + perceptual loss and terms:
        the part of G's loss that ESRGAN and Real-ESRGAN share."""
        c = self.config
        lr, hr = batch
        sr = self.G(lr, training=True)
        carry["sr"] = sr
        l1 = unit_l1(sr, hr)
        terms = {"G_l1": l1}
        loss = c.pixel_weight * l1
        vgg = self.perceptual_loss(sr, hr)
        if vgg is not None:
            terms["G_vgg"] = vgg
            loss = loss + c.perceptual_weight * vgg
        return sr, loss, terms

    def generator_loss(self, batch, carry):
        c = self.config
        hr = batch[1]
        sr, loss, terms = self.content_terms(batch, carry)
        real = ops.cast(self.D(hr, training=True), "float32")
        fake = ops.cast(self.D(sr, training=True), "float32")
        gan = ragan_generator_loss(real, fake)
        terms["G_gan"] = gan
        return loss + c.gan_weight * gan, terms

    def discriminator_loss(self, batch, carry):
        _, hr = batch
        sr = ops.stop_gradient(carry["sr"])
        real = ops.cast(self.D(hr, training=True), "float32")
        fake = ops.cast(self.D(sr, training=True), "float32")
        real_term, fake_term = ragan_discriminator_loss(real, fake)
        return real_term + fake_term, {"D_real": real_term, "D_fake": fake_term}

    # ------------------------------------------------------------- phases ---

    def _optimizer(self, lr, name):
        c = self.config
        kind = c.schedule()
        if kind == "multistep":
            return schedules.adam_with(schedules.MultiStep, c, lr, c.beta_1, c.beta_2, name,
                                       milestones=c.lr_milestones, gamma=c.lr_gamma)
        if kind == "cosine_restarts":
            return schedules.adam_with(schedules.CosineRestarts, c, lr, c.beta_1, c.beta_2,
                                       name)
        return "adam"

    def phases(self):
        c = self.config
        g_lr = c.generator_lr()
        if c.stage == "psnr":
            return [cgtk.Phase("generator", [self.G], self.psnr_loss, lr=g_lr, beta_1=c.beta_1,
                               beta_2=c.beta_2, schedule="constant",
                               optimizer=self._optimizer(g_lr, "generator_adam"))]
        self.loss_network()
        return [cgtk.Phase("generator", [self.G], self.generator_loss, lr=g_lr,
                           beta_1=c.beta_1, beta_2=c.beta_2, schedule="constant",
                           optimizer=self._optimizer(g_lr, "generator_adam")),
                cgtk.Phase("discriminator", [self.D], self.discriminator_loss, lr=c.d_lr,
                           beta_1=c.beta_1, beta_2=c.beta_2, schedule="constant",
                           optimizer=self._optimizer(c.d_lr, "discriminator_adam"))]

    # ---------------------------------------------------------------- EMA ---

    def before_step(self):
        if self.ema is not None:  # first step of a run: G starts from the average
            self.ema.start()

    def after_step(self):
        if self.ema is not None:
            self.ema.update()

    def unshuffles(self) -> bool:
        """Whether G pixel-unshuffles its input (BasicSR's x2 layout): inputs of even size."""
        return self.config.scale == 2 and self.config.x2_layout == "unshuffle"

    def inference(self):
        s = self.config.scale
        net, what = (self.G, "RRDBNet") if self.G_ema is None else (
            self.G_ema, f"RRDBNet, EMA {self.ema.decay:g} of G")
        return {"generator": Inference(net, multiple=2 if self.unshuffles() else 1, scale=s,
                                       description=f"LR -> HR (x{s}, {what})")}
