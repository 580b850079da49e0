"""pix2pix (Isola et al. 2017): paired translation with a conditional GAN and an L1 loss.

* ``G``: U-Net-256 (batch norm, dropout 0.5 in the three innermost decoder blocks, kept
  on at inference by default) or a ResNet generator (``netG``).
* Batch norm at inference (``test_bn``): by default each image is normalised by its own
  statistics, as the paper and the reference's ``test.py`` (without ``--eval``);
  ``test_bn=moving`` uses the moving averages (:mod:`cgtk_pix2pix.inference_norm`).
* ``D``: conditional 70x70 PatchGAN on ``concat(input, output)`` (6 channels).

One step has two phases, in the order of the reference's ``optimize_parameters``
(``update_order=D_first``, the default):

1. ``discriminator``: ``fake_B = G(a)`` (a forward whose state updates -- batch-norm
   statistics, dropout RNG -- are discarded, so the generator phase repeats exactly
   the same forward), then real pair ``(a, b)`` vs fake pair ``(a, fake_B)``,
   lsgan/vanilla losses weighted by 0.5; D is updated.
2. ``generator``: ``GAN(D(a, G(a)), real) + lambda_l1 * |G(a) - b|`` against the
   *updated* D.

``update_order=G_first`` (cgtk before 0.x; one generator forward less per step) runs the
generator phase first and hands ``fake_B`` to the discriminator phase through ``carry``.

>>> model = Pix2Pix(Pix2PixConfig(ngf=4, ndf=4, num_downs=5))
>>> model.inference_networks()["generator"].multiple
32
"""
from __future__ import annotations

import keras
from keras import ops

import cgtk
from cgtk import Inference, losses, nn
from cgtk_pix2pix.config import Pix2PixConfig
from cgtk_pix2pix.inference_norm import with_image_stats_norm


def _seed(base, offset):
    return None if base is None else int(base) * 7919 + offset


class Pix2Pix(cgtk.GANModel):
    """pix2pix with the reference's defaults; see the module docstring and docs/pix2pix.md."""

    Config = Pix2PixConfig
    tiny_config = {"ngf": 8, "ndf": 8, "num_downs": 5}  # for cgtk.testing.check_plugin

    def __init__(self, config=None):
        super().__init__(config)
        c = self.config
        s = c.seed
        if c.is_unet() and c.generator_depth() < 5:
            raise cgtk.CgtkError(f"num_downs={c.num_downs} is too small", hint="use 5 or more")
        if c.is_unet():
            self.G = nn.unet_generator(
                num_downs=c.generator_depth(), ngf=c.ngf, norm=c.norm,
                use_dropout=c.use_dropout, dropout_at_inference=c.dropout_at_inference,
                init_gain=c.init_gain, seed=_seed(s, 1000), name="G")
        else:
            self.G = nn.resnet_generator(
                ngf=c.ngf, n_blocks=c.generator_depth(), norm=c.norm, use_dropout=c.use_dropout,
                init_gain=c.init_gain, seed=_seed(s, 1000), name="G")
        if c.netD == "pixel":
            self.D = nn.pixel_discriminator(6, ndf=c.ndf, norm=c.norm, init_gain=c.init_gain,
                                            seed=_seed(s, 2000), name="D")
        else:
            self.D = nn.patch_discriminator(6, ndf=c.ndf, n_layers=c.n_layers_D, norm=c.norm,
                                            init_gain=c.init_gain, seed=_seed(s, 2000), name="D")
        if c.norm == "batch" and c.test_bn == "batch":
            multiple = nn.required_multiple(self.G)
            self.G = with_image_stats_norm(self.G)
            self.G.cgtk_multiple = multiple
        self.seed_generator = keras.random.SeedGenerator(_seed(s, 3))
        multiple = nn.required_multiple(self.G)
        if c.image_size % multiple:
            raise cgtk.CgtkError(
                f"image_size={c.image_size} is not a multiple of {multiple}, which netG="
                f"{c.netG} (depth {c.generator_depth()}) needs",
                hint=f"use --image-size {max(multiple, c.image_size // multiple * multiple)}"
                + (", or --set num_downs=N with 2**N dividing it" if c.is_unet() else ""))

    # ------------------------------------------------------------ phases ---

    def phases(self):
        c = self.config
        generator = cgtk.Phase("generator", [self.G], self.generator_loss,
                               lr=c.lr, beta_1=c.beta_1, beta_2=c.beta_2)
        discriminator = cgtk.Phase("discriminator", [self.D], self.discriminator_loss,
                                   lr=c.lr, beta_1=c.beta_1, beta_2=c.beta_2)
        if c.update_order == "G_first":
            return [generator, discriminator]
        return [discriminator, generator]

    def generator_loss(self, batch, carry):
        c = self.config
        real_A, real_B = batch
        fake_B = self.G(real_A, training=True)
        logits = self.D(ops.concatenate([real_A, ops.cast(fake_B, real_A.dtype)], axis=-1),
                        training=True)
        terms = {"G_GAN": losses.generator_adversarial(logits, c.gan_mode),
                 "G_L1": c.lambda_l1 * losses.l1(fake_B, real_B)}
        carry["fake_B"] = fake_B
        return terms["G_GAN"] + terms["G_L1"], terms

    def peek_generator(self, real_A):
        """``G(real_A, training=True)`` without its state updates (batch-norm statistics,
        dropout RNG): the generator phase that follows repeats the very same forward."""
        G = self.G
        fake_B, _ = G.stateless_call([v.value for v in G.trainable_variables],
                                     [v.value for v in G.non_trainable_variables],
                                     real_A, training=True)
        return fake_B

    def discriminator_loss(self, batch, carry):
        c = self.config
        real_A, real_B = batch
        fake_B = carry.get("fake_B")
        if fake_B is None:  # D_first: the reference's forward() before D's update
            fake_B = self.peek_generator(real_A)
        fake_B = ops.cast(ops.stop_gradient(fake_B), real_A.dtype)
        real_pair = ops.concatenate([real_A, real_B], axis=-1)
        fake_pair = ops.concatenate([real_A, fake_B], axis=-1)
        fake_logits = self.D(fake_pair, training=True)  # fake first, as backward_D
        real_logits = self.D(real_pair, training=True)
        loss = losses.discriminator_adversarial(real_logits, fake_logits, c.gan_mode)
        if c.gan_mode == "wgangp":
            loss = loss + losses.gradient_penalty(
                self.D, real_pair, fake_pair, c.lambda_gp, seed=self.seed_generator)
        return loss, {"D": loss}

    # --------------------------------------------------------- inference ---

    def inference(self):
        what = "A -> B" if self.config.direction == "AtoB" else "B -> A"
        return {"generator": Inference(self.G, multiple=nn.required_multiple(self.G),
                                       description=f"{what} ({self.config.direction})")}
