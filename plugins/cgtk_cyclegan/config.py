"""CycleGAN's options. Defaults are the paper's / the reference's
(junyanz/pytorch-CycleGAN-and-pix2pix ``train.py --model cycle_gan``). Keras-free.

>>> c = CycleGANConfig()
>>> c.lambda_cycle, c.lambda_identity, c.pool_size, c.load_size, c.image_size
(10.0, 0.5, 50, 286, 256)
>>> c.cycle_weights()
(10.0, 10.0)
"""
from __future__ import annotations

from dataclasses import dataclass

import cgtk

ZHU = "Zhu et al. 2017"
REF = "the reference implementation"
GAN_MODES = ("lsgan", "vanilla", "hinge", "wgangp")  # == cgtk.losses.GAN_MODES (keras-free here)


@dataclass
class CycleGANConfig(cgtk.TrainConfig):
    """Options of :class:`cgtk_cyclegan.model.CycleGAN`."""

    ngf: int = cgtk.option(64, "generator filters in the first conv", fixed=True, paper=ZHU)
    n_blocks: int = cgtk.option(9, "residual blocks per generator (9 for 256 px, 6 for 128 px)",
                                fixed=True, paper=ZHU)
    upsample: str = cgtk.option("transpose", "generator upsampling (nearest: resize + conv, "
                                "no checkerboard artefacts)", choices=("transpose", "nearest"),
                                fixed=True, paper=REF)
    ndf: int = cgtk.option(64, "discriminator filters in the first conv", fixed=True, paper=ZHU)
    netD: str = cgtk.option("basic", "discriminator: PatchGAN (basic) or 1x1 PixelGAN (pixel)",
                            choices=("basic", "pixel"), fixed=True, paper=ZHU)
    n_layers_D: int = cgtk.option(3, "stride-2 convs of the PatchGAN (3: 70x70 patches)",
                                  fixed=True, paper=ZHU)
    norm: str = cgtk.option("instance", "normalisation in G and D",
                            choices=("instance", "batch", "none"), fixed=True, paper=ZHU)
    init_gain: float = cgtk.option(0.02, "std of the N(0, gain) weight init", fixed=True,
                                   paper=REF)
    gan_mode: str = cgtk.option("lsgan", "adversarial loss", choices=GAN_MODES, paper=ZHU)
    lambda_cycle: float = cgtk.option(10.0, "cycle-consistency weight (both directions)",
                                      paper=ZHU)
    lambda_A: float | None = cgtk.option(
        None, "weight of the A -> B -> A cycle (none: lambda_cycle)")
    lambda_B: float | None = cgtk.option(
        None, "weight of the B -> A -> B cycle (none: lambda_cycle)")
    lambda_identity: float = cgtk.option(
        0.5, "identity loss weight, relative to the cycle weight (0 disables)", paper=ZHU)
    lambda_gp: float = cgtk.option(10.0, "wgangp: gradient-penalty weight", paper="Gulrajani et al. 2017")
    pool_size: int = cgtk.option(50, "generated images kept per discriminator (0: no pool)",
                                 fixed=True, paper=ZHU)
    lr: float = cgtk.option(2e-4, "Adam learning rate (G and D)", paper=ZHU)
    beta_1: float = cgtk.option(0.5, "Adam beta_1", paper=ZHU)
    beta_2: float = cgtk.option(0.999, "Adam beta_2", paper=REF)
    # TrainConfig fields with CycleGAN's defaults
    epochs: int = cgtk.option(200, "number of epochs to train", paper=ZHU)
    batch_size: int = cgtk.option(1, "global batch size", paper=ZHU)
    image_size: int = cgtk.option(256, "training crop size; also the image pool's image size",
                                  fixed=True, paper=ZHU)
    load_size: int | None = cgtk.option(286, "resize to this size before the random crop",
                                        paper=ZHU)
    flip: bool = cgtk.option(True, "random horizontal flips", paper=ZHU)
    lr_policy: str = cgtk.option("linear_decay", "learning-rate schedule",
                                 choices=("constant", "linear_decay", "linear_decay_end", "step"),
                                 paper=ZHU)
    n_epochs: int | None = cgtk.option(100, "linear_decay: epochs at the initial rate", paper=ZHU)
    n_epochs_decay: int | None = cgtk.option(100, "linear_decay: epochs of decay to zero",
                                             paper=ZHU)

    def cycle_weights(self) -> tuple[float, float]:
        """(lambda_A, lambda_B): the reference's two cycle weights."""
        a = self.lambda_cycle if self.lambda_A is None else self.lambda_A
        b = self.lambda_cycle if self.lambda_B is None else self.lambda_B
        return float(a), float(b)
