"""CycleGAN (Zhu et al. 2017): unpaired translation A <-> B with cycle consistency.

Networks (reference ``cycle_gan_model.py`` names in brackets):

* ``G``: A -> B [netG_A], ``F``: B -> A [netG_B]: ResNet generators (9 blocks, instance norm).
* ``D_A`` [netD_A] judges domain-**B** images (real B vs G's fakes) and ``D_B`` [netD_B]
  judges domain-**A** images (real A vs F's fakes), as in the reference; the paper calls
  them D_Y and D_X.
* ``fake_B_pool`` / ``fake_A_pool``: image pools of 50 past fakes feeding D_A / D_B.

One training step has two phases, as the reference's ``optimize_parameters``:

1. ``generators`` (G and F, one Adam): ``G_A + G_B + cycle_A + cycle_B + idt_A + idt_B``
   with ``cycle_A = lambda_A * |F(G(A)) - A|``, ``idt_A = lambda_B * lambda_identity *
   |G(B) - B|`` (and symmetrically); the fakes go into ``carry``.
2. ``discriminators`` (D_A and D_B, one Adam): each on real images vs pooled fakes from
   ``carry`` (the generators are not rerun), lsgan/vanilla losses weighted by 0.5.

>>> model = CycleGAN(CycleGANConfig(ngf=4, ndf=4, n_blocks=1, image_size=32, pool_size=2))
>>> sorted(model.inference_networks()), model.inference_networks()["a2b"].multiple
(['a2b', 'b2a'], 4)
"""
from __future__ import annotations

import keras
from keras import ops

import cgtk
from cgtk import Inference, losses, nn
from cgtk_cyclegan.config import CycleGANConfig
from cgtk_cyclegan.pool import ImagePool


def _f32(x):
    return ops.cast(x, "float32")


def _seed(base, offset):
    return None if base is None else int(base) * 7919 + offset


class CycleGAN(cgtk.GANModel):
    """CycleGAN with the reference's defaults; see the module docstring and docs/cyclegan.md."""

    Config = CycleGANConfig
    tiny_config = {"ngf": 8, "ndf": 8, "n_blocks": 2, "pool_size": 4}  # for check_plugin

    def __init__(self, config=None):
        super().__init__(config)
        c = self.config
        s = c.seed
        if c.image_size % 4:
            raise cgtk.CgtkError(f"image_size={c.image_size} is not a multiple of 4, which the "
                                 "ResNet generators need", hint="e.g. --image-size 256")

        def generator(name, k):
            return nn.resnet_generator(ngf=c.ngf, n_blocks=c.n_blocks, norm=c.norm,
                                       init_gain=c.init_gain, upsample=c.upsample,
                                       seed=_seed(s, 1000 * k), name=name)

        def discriminator(name, k):
            if c.netD == "pixel":
                return nn.pixel_discriminator(3, ndf=c.ndf, norm=c.norm, init_gain=c.init_gain,
                                              seed=_seed(s, 1000 * k), name=name)
            return nn.patch_discriminator(3, ndf=c.ndf, n_layers=c.n_layers_D, norm=c.norm,
                                          init_gain=c.init_gain, seed=_seed(s, 1000 * k),
                                          name=name)

        self.G = generator("G", 1)
        self.F = generator("F", 2)
        self.D_A = discriminator("D_A", 3)
        self.D_B = discriminator("D_B", 4)
        shape = (c.image_size, c.image_size, 3)
        self.fake_B_pool = ImagePool(c.pool_size, shape, seed=_seed(s, 5), name="fake_B_pool")
        self.fake_A_pool = ImagePool(c.pool_size, shape, seed=_seed(s, 6), name="fake_A_pool")
        self.seed_generator = keras.random.SeedGenerator(_seed(s, 7))

    # ------------------------------------------------------------ phases ---

    def phases(self):
        c = self.config
        return [
            cgtk.Phase("generators", [self.G, self.F], self.generator_loss,
                       lr=c.lr, beta_1=c.beta_1, beta_2=c.beta_2),
            cgtk.Phase("discriminators", [self.D_A, self.D_B], self.discriminator_loss,
                       lr=c.lr, beta_1=c.beta_1, beta_2=c.beta_2),
        ]

    def generator_loss(self, batch, carry):
        c = self.config
        real_A, real_B = batch
        lambda_A, lambda_B = c.cycle_weights()
        fake_B = self.G(real_A, training=True)
        rec_A = self.F(fake_B, training=True)
        fake_A = self.F(real_B, training=True)
        rec_B = self.G(fake_A, training=True)
        terms = {
            "G_A": losses.generator_adversarial(self.D_A(fake_B, training=True), c.gan_mode),
            "G_B": losses.generator_adversarial(self.D_B(fake_A, training=True), c.gan_mode),
            "cycle_A": lambda_A * losses.l1(rec_A, real_A),
            "cycle_B": lambda_B * losses.l1(rec_B, real_B),
        }
        if c.lambda_identity > 0:
            idt_A = self.G(real_B, training=True)
            idt_B = self.F(real_A, training=True)
            terms["idt_A"] = lambda_B * c.lambda_identity * losses.l1(idt_A, real_B)
            terms["idt_B"] = lambda_A * c.lambda_identity * losses.l1(idt_B, real_A)
        carry["fake_B"] = fake_B
        carry["fake_A"] = fake_A
        total = sum(_f32(v) for v in terms.values())
        return total, terms

    def _critic_loss(self, D, real, fake):
        c = self.config
        loss = losses.discriminator_adversarial(D(real, training=True), D(fake, training=True),
                                                c.gan_mode)
        if c.gan_mode == "wgangp":
            loss = loss + losses.gradient_penalty(
                D, real, fake, c.lambda_gp, seed=self.seed_generator)
        return loss

    def discriminator_loss(self, batch, carry):
        real_A, real_B = batch
        fake_B = self.fake_B_pool(ops.stop_gradient(carry["fake_B"]))
        fake_A = self.fake_A_pool(ops.stop_gradient(carry["fake_A"]))
        terms = {"D_A": self._critic_loss(self.D_A, real_B, fake_B),
                 "D_B": self._critic_loss(self.D_B, real_A, fake_A)}
        return terms["D_A"] + terms["D_B"], terms

    # --------------------------------------------------------- inference ---

    def inference(self):
        return {"a2b": Inference(self.G, multiple=nn.required_multiple(self.G),
                                 description="domain A -> domain B (G)"),
                "b2a": Inference(self.F, multiple=nn.required_multiple(self.F),
                                 description="domain B -> domain A (F)")}

    def sample_columns(self, batch):
        real_A, real_B = batch
        fake_B = self.G(real_A, training=False)
        fake_A = self.F(real_B, training=False)
        return {"real_A": real_A, "fake_B": fake_B, "rec_A": self.F(fake_B, training=False),
                "real_B": real_B, "fake_A": fake_A, "rec_B": self.G(fake_A, training=False)}
