"""SRGAN (Ledig et al. 2017): the SRResNet generator trained with the VGG54 content loss
plus 1e-3 x a BCE adversarial loss against the SRGAN discriminator.

As in the paper, the generator starts from a trained SRResNet: ``--set
init_from=RUN_DIR`` loads that run's ``generator.keras`` (``safe_mode=True``) into G.

>>> import warnings
>>> from cgtk_srresnet.srgan import SRGAN
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     m = SRGAN(SRGAN.Config(n_blocks=1, n_feats=8, ndf=8, vgg_weights="none"))
>>> [p.name for p in m.phases()]
['generator', 'discriminator']
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import keras
from keras import ops

import cgtk
from cgtk.losses import bce_with_logits
from cgtk_srresnet.networks import D_HEADS, srgan_discriminator
from cgtk_srresnet.srresnet import LEDIG, SRResNet, SRResNetConfig

#: Config keys that must match between an SRGAN and the SRResNet run it starts from.
ARCH_KEYS = ("arch", "scale", "n_blocks", "n_feats", "norm", "output", "res_scale",
             "upsample_skip")


@dataclass
class SRGANConfig(SRResNetConfig):
    init_from: str | None = cgtk.option(
        None, "an SRResNet run directory whose generator.keras initialises G (the paper "
        "starts SRGAN from a trained SRResNet)", paper=LEDIG)
    loss: str = cgtk.option("perceptual", "content loss: perceptual (VGG54, the paper's "
                            "SRGAN-VGG54) or mse (SRGAN-MSE)", choices=("mse", "perceptual"),
                            paper=LEDIG)
    adv_weight: float = cgtk.option(1e-3, "weight of the adversarial (BCE) generator loss",
                                    paper=LEDIG)
    ndf: int = cgtk.option(64, "discriminator width (64 -> 512)", fixed=True, paper=LEDIG)
    d_head: str = cgtk.option("gap", "discriminator head: gap (global average pooling, any "
                              "size) or flatten (the paper's, fixed to image_size)",
                              choices=D_HEADS, fixed=True)
    d_lr: float = cgtk.option(1e-4, "discriminator Adam learning rate", paper=LEDIG)
    epochs: int = cgtk.option(200, "number of epochs (x 1000 steps = 2x10^5 updates)",
                              paper=LEDIG)
    lr_policy: str = cgtk.option("step", "learning-rate schedule (paper: 1e-4, then 1e-5 "
                                 "after 10^5 updates)", choices=("constant", "linear_decay",
                                                                 "step"), paper=LEDIG)
    lr_step_epochs: int = cgtk.option(100, "step: multiply the rate by lr_gamma every this "
                                      "many epochs", paper=LEDIG)
    lr_gamma: float = cgtk.option(0.1, "step: the factor applied every lr_step_epochs",
                                  paper=LEDIG)


#: Said when SRGAN starts from random weights, which the paper never does.
NO_INIT_WARNING = (
    "srgan: init_from is not set, so G starts from random weights; the paper starts SRGAN "
    "from a trained SRResNet (cgtk train srresnet --run-dir R, then --set init_from=R)")


def read_srresnet_run(path: str | Path, config) -> Path:
    """Check that ``path`` is an SRResNet run matching ``config``; its generator.keras path."""
    run = Path(path).expanduser()
    record = cgtk.read_run_record(run, what=f"init_from={path}", hint="train one first: "
                                  "cgtk train srresnet --run-dir RUN_DIR")
    plugin = record.plugin.name
    if plugin != "srresnet":
        raise cgtk.CgtkError(f"init_from={path}: a '{plugin}' run, not an srresnet run",
                             hint="give the run directory of 'cgtk train srresnet'")
    saved = record.config
    ours = {k: getattr(config, k) for k in ARCH_KEYS}
    theirs = {k: saved.get(k, SRResNetConfig.__dataclass_fields__[k].default)
              for k in ARCH_KEYS}
    diff = [f"{k}={theirs[k]!r} there, {ours[k]!r} here" for k in ARCH_KEYS
            if theirs[k] != ours[k]]
    if diff:
        raise cgtk.CgtkError(f"init_from={path}: the generators differ ({'; '.join(diff)})",
                             hint="set the same " + ", ".join(
                                 k for k in ARCH_KEYS if theirs[k] != ours[k]) + " as that run")
    spec = record.inference.get("generator")
    weights = spec.path_in(run) if spec is not None else run / "generator.keras"
    if not weights.is_file():
        raise cgtk.CgtkError(f"init_from={path}: no generator.keras in the run",
                             hint="let the srresnet run finish an epoch (it exports then)")
    return weights


class SRGAN(SRResNet):
    """SRGAN: phases "generator" (content + adversarial) and "discriminator" (BCE)."""

    Config = SRGANConfig

    def __init__(self, config=None):
        super().__init__(config)
        c = self.config
        seed = c.init_seed if c.init_seed is not None else c.seed
        self.D = srgan_discriminator(ndf=c.ndf, head=c.d_head, image_size=c.image_size,
                                     seed=None if seed is None else seed + 1000, name="D")
        if c.init_from:
            self.load_init(c.init_from)
        else:
            warnings.warn(NO_INIT_WARNING, UserWarning, stacklevel=2)

    def load_init(self, path) -> None:
        """Copy the weights of an SRResNet run's generator into ``G``."""
        weights = read_srresnet_run(path, self.config)
        trained = keras.saving.load_model(weights, safe_mode=True, compile=False)
        try:
            self.G.set_weights(trained.get_weights())
        except ValueError as err:
            raise cgtk.CgtkError(f"init_from={path}: its generator.keras does not fit this "
                                 f"generator ({err})") from None

    def generator_loss(self, batch, carry):
        lr, hr = batch
        sr = self.G(lr, training=True)
        content, terms = self.content_loss(sr, hr)
        fake_logits = ops.cast(self.D(sr, training=True), "float32")
        adv = ops.mean(bce_with_logits(fake_logits, 1.0))
        carry["sr"] = sr
        return content + self.config.adv_weight * adv, {**terms, "G_adv": adv}

    def discriminator_loss(self, batch, carry):
        _, hr = batch
        sr = ops.stop_gradient(carry["sr"])
        real = ops.cast(self.D(hr, training=True), "float32")
        fake = ops.cast(self.D(sr, training=True), "float32")
        real_loss = ops.mean(bce_with_logits(real, 1.0))
        fake_loss = ops.mean(bce_with_logits(fake, 0.0))
        loss = real_loss + fake_loss
        return loss, {"D_real": real_loss, "D_fake": fake_loss}

    def phases(self):
        c = self.config
        self.loss_network()
        return [cgtk.Phase("generator", [self.G], self.generator_loss, lr=c.lr,
                           beta_1=c.beta_1),
                cgtk.Phase("discriminator", [self.D], self.discriminator_loss, lr=c.d_lr,
                           beta_1=c.beta_1)]
