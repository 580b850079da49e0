"""CUT and FastCUT (Park et al. 2020): unpaired translation X -> Y with PatchNCE.

Networks (reference ``models/cut_model.py`` names in brackets):

* ``G`` [netG]: the ResNet generator of :func:`cgtk.nn.resnet_generator` (CycleGAN's),
  the inference network ``a2b``. ``G_features`` and ``G_encoder`` share G's layers and
  weights (:func:`cgtk.nn.feature_model`): ``G_features(x) = [G(x), *features(x)]`` in one
  forward pass; ``G_encoder(x)`` only the features (the reference's ``encode_only``).
* ``F`` [netF]: :class:`~cgtk_cut.patch_sample.PatchSampleF`, a two-layer MLP per NCE
  layer, built from the feature channel counts.
* ``D`` [netD]: the PatchGAN judging domain-Y images.

One step, two phases:

1. ``generator`` (G and F): ``lambda_GAN * GAN(D(G(x)))`` + PatchNCE. ``G_features`` runs
   once on ``x`` (with ``nce_idt``: on ``[x, y]``, the reference's ``real``), giving the
   translation and the **keys** (features of the source, as the reference's
   ``netG(src, nce_layers, encode_only=True)``; identical for per-image norms);
   ``G_encoder`` on the translations gives the **queries**. ``NCE`` is the mean over
   layers of ``lambda_NCE * mean(PatchNCE(F(q), F(k)))`` at shared random positions; with
   ``nce_idt``, ``NCE_Y`` is the same on ``(y, G(y))`` and the generator's loss is
   ``GAN + (NCE + NCE_Y) / 2``. With ``flip_equivariance`` (FastCUT), with probability
   1/2 the input is flipped left-right before G and the queries are flipped back, while
   the keys come from the unflipped source (its own encoder pass).
2. ``discriminator`` (D): ``(lsgan(D(y), 1) + lsgan(D(G(x)), 0)) / 2`` on the translation
   from ``carry`` (no image pool: the reference sets ``pool_size=0``).

F's own Adam: a phase has one optimizer, and G and F train in the same phase; Adam is
per-parameter, so one Adam with the reference's settings over G's and F's weights is the
reference's two Adams (``optimizer_G``, ``optimizer_F``: same lr, betas, schedule and step
count). The reference updates D before G within a step; here G's phase runs first and D
reuses its translation from ``carry`` (as cgtk's CycleGAN), saving a generator pass: D's
update lags G's by one step (see docs/cut.md).

>>> model = CUT(CUTConfig(ngf=4, ndf=4, n_blocks=2, image_size=32, num_patches=16,
...                       nce_layers=(0, 4, 8, 10)))
>>> sorted(model.inference_networks()), model.inference_networks()["a2b"].multiple
(['a2b'], 4)
"""
from __future__ import annotations

import keras
from keras import ops

import cgtk
from cgtk import Inference, losses, nn
from cgtk_cut.config import CUTConfig, FastCUTConfig
from cgtk_cut.patch_sample import PatchSampleF
from cgtk_cut.patchnce import patch_nce_loss


def _f32(x):
    return ops.cast(x, "float32")


def _seed(base, offset):
    return None if base is None else int(base) * 7919 + offset


def _flip(x):
    return ops.flip(x, axis=2)  # NHWC: left-right, the reference's torch.flip(x, [3])


class CUT(cgtk.GANModel):
    """CUT with the reference's ``--CUT_mode CUT`` defaults; see the module docstring."""

    Config = CUTConfig
    tiny_config = {"ngf": 8, "ndf": 8, "n_blocks": 2, "num_patches": 32, "netF_nc": 16,
                   "nce_layers": (0, 4, 8, 10), "batch_size": 2, "image_size": 32,
                   "epochs": 1, "load_size": None}  # for check_plugin

    def __init__(self, config=None):
        super().__init__(config)
        c = self.config
        s = c.seed
        if c.image_size % 4:
            raise cgtk.CgtkError(f"image_size={c.image_size} is not a multiple of 4, which the "
                                 "ResNet generator needs", hint="e.g. --image-size 256")
        if c.num_patches < 1:
            raise cgtk.CgtkError(f"num_patches={c.num_patches} must be at least 1")
        self.G = nn.resnet_generator(ngf=c.ngf, n_blocks=c.n_blocks, norm=c.normG,
                                     init=c.init_type, init_gain=c.init_gain,
                                     upsample=c.upsample, seed=_seed(s, 1000), name="G")
        if not c.nce_layers:
            raise cgtk.CgtkError("nce_layers is empty", hint="e.g. --set nce_layers=0,4,8,12,16")
        try:
            self.G_features = nn.feature_model(self.G, c.nce_layers, name="G_features")
        except ValueError as err:
            raise cgtk.CgtkError(f"nce_layers={','.join(map(str, c.nce_layers))}: {err}",
                                 hint="e.g. --set nce_layers=0,4,8,12,16") from None
        self.nce_layers = tuple(sorted(c.nce_layers))
        self.G_encoder = nn.feature_model(self.G, self.nce_layers, with_image=False,
                                          name="G_encoder")
        self.F = PatchSampleF(units=c.netF_nc, num_patches=c.num_patches, init=c.init_type,
                              init_gain=c.init_gain, seed=_seed(s, 2000), name="F")
        # the lazy build, from the features the first batch (at the crop size) will have
        crop = (1, c.image_size, c.image_size, 3)
        shapes = self.G_encoder.compute_output_shape(crop)
        self.F.build(shapes)
        for i, shape in enumerate(shapes):  # warn now, not from inside the compiled step
            self.F.positions(int(shape[1]) * int(shape[2]), i)
        self.D = nn.patch_discriminator(3, ndf=c.ndf, n_layers=c.n_layers_D, norm=c.normD,
                                        init=c.init_type, init_gain=c.init_gain,
                                        seed=_seed(s, 3000), name="D")
        self.seed_generator = keras.random.SeedGenerator(_seed(s, 7))

    # ------------------------------------------------------------ phases ---

    def phases(self):
        c = self.config
        return [
            cgtk.Phase("generator", [self.G, self.F], self.generator_loss,
                       lr=c.lr, beta_1=c.beta_1, beta_2=c.beta_2),
            cgtk.Phase("discriminator", [self.D], self.discriminator_loss,
                       lr=c.lr, beta_1=c.beta_1, beta_2=c.beta_2),
        ]

    def nce_loss(self, keys, queries, patch_ids=None):
        """``mean over layers of lambda_NCE * mean(PatchNCE)`` for one source/translation
        pair of feature lists (the reference's ``calculate_NCE_loss``); positions are
        drawn unless ``patch_ids`` gives them."""
        c = self.config
        batch = keys[0].shape[0]
        feat_k, ids = self.F(keys, patch_ids=patch_ids)
        feat_q, _ = self.F(queries, patch_ids=ids)
        total = 0.0
        for q, k in zip(feat_q, feat_k):
            per_query = patch_nce_loss(q, k, batch, c.nce_T,
                                       c.nce_includes_all_negatives_from_minibatch)
            total = total + c.lambda_NCE * ops.mean(per_query)
        return total / len(self.nce_layers)

    def generator_loss(self, batch, carry):
        c = self.config
        real_A, real_B = batch
        n = real_A.shape[0]
        real = ops.concatenate([real_A, real_B], axis=0) if c.nce_idt else real_A
        if c.flip_equivariance:
            flipped = keras.random.uniform((), seed=self.seed_generator) < 0.5
            fake = self.G(ops.where(flipped, _flip(real), real), training=True)
            queries = [ops.where(flipped, _flip(f), f)
                       for f in self.G_encoder(fake, training=True)]
            keys = self.G_encoder(real, training=True)
        else:
            fake, *keys = self.G_features(real, training=True)
            queries = self.G_encoder(fake, training=True)
        fake_B = fake[:n]
        terms = {"G_GAN": c.lambda_GAN * losses.generator_adversarial(
            self.D(fake_B, training=True), c.gan_mode)}
        terms["NCE"] = self.nce_loss([k[:n] for k in keys], [q[:n] for q in queries])
        nce = terms["NCE"]
        if c.nce_idt:
            terms["NCE_Y"] = self.nce_loss([k[n:] for k in keys], [q[n:] for q in queries])
            nce = (terms["NCE"] + terms["NCE_Y"]) * 0.5
            carry["idt_B"] = fake[n:]
        carry["fake_B"] = fake_B
        return _f32(terms["G_GAN"]) + _f32(nce), terms

    def discriminator_loss(self, batch, carry):
        _, real_B = batch
        fake_B = ops.stop_gradient(carry["fake_B"])
        loss = losses.discriminator_adversarial(self.D(real_B, training=True),
                                                self.D(fake_B, training=True),
                                                self.config.gan_mode)
        return loss, {"D": loss}

    # --------------------------------------------------------- inference ---

    def inference(self):
        return {"a2b": Inference(self.G, multiple=nn.required_multiple(self.G),
                                 description="domain X (A) -> domain Y (B) (G)")}

    def sample_columns(self, batch):
        real_A, real_B = batch
        columns = {"real_A": real_A, "fake_B": self.G(real_A, training=False),
                   "real_B": real_B}
        if self.config.nce_idt:
            columns["idt_B"] = self.G(real_B, training=False)
        return columns


class FastCUT(CUT):
    """CUT with the reference's ``--CUT_mode FastCUT`` defaults (:class:`FastCUTConfig`)."""

    Config = FastCUTConfig
