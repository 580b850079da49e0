"""pix2pix's options. Defaults are the paper's / the reference's
(junyanz/pytorch-CycleGAN-and-pix2pix ``train.py --model pix2pix``). Keras-free.

>>> c = Pix2PixConfig()
>>> c.netG, c.generator_depth(), c.lambda_l1, c.gan_mode
('unet_256', 8, 100.0, 'vanilla')
>>> Pix2PixConfig(netG="unet_256", num_downs=6).generator_depth()
6
"""
from __future__ import annotations

from dataclasses import dataclass

import cgtk

ISOLA = "Isola et al. 2017"
REF = "the reference implementation"
GAN_MODES = ("lsgan", "vanilla", "hinge", "wgangp")  # == cgtk.losses.GAN_MODES (keras-free here)
GENERATORS = ("unet_256", "unet_128", "resnet_9blocks", "resnet_6blocks")
UNET_DEPTH = {"unet_256": 8, "unet_128": 7}
RESNET_BLOCKS = {"resnet_9blocks": 9, "resnet_6blocks": 6}
DIRECTIONS = ("AtoB", "BtoA")


@dataclass
class Pix2PixConfig(cgtk.TrainConfig):
    """Options of :class:`cgtk_pix2pix.model.Pix2Pix`."""

    netG: str = cgtk.option("unet_256", "generator architecture", choices=GENERATORS,
                            fixed=True, paper=ISOLA)
    num_downs: int | None = cgtk.option(
        None, "U-Net depth override, >= 5 (none: from netG, 8 for unet_256, 7 for "
        "unet_128); inputs must be multiples of 2**num_downs", fixed=True)
    ngf: int = cgtk.option(64, "generator filters in the first conv", fixed=True, paper=ISOLA)
    ndf: int = cgtk.option(64, "discriminator filters in the first conv", fixed=True,
                           paper=ISOLA)
    netD: str = cgtk.option("basic", "discriminator: PatchGAN (basic) or 1x1 PixelGAN (pixel)",
                            choices=("basic", "pixel"), fixed=True, paper=ISOLA)
    n_layers_D: int = cgtk.option(3, "stride-2 convs of the PatchGAN (3: 70x70 patches)",
                                  fixed=True, paper=ISOLA)
    norm: str = cgtk.option("batch", "normalisation in G and D",
                            choices=("batch", "instance", "none"), fixed=True, paper=ISOLA)
    init_gain: float = cgtk.option(0.02, "std of the N(0, gain) weight init", fixed=True,
                                   paper=REF)
    use_dropout: bool = cgtk.option(True, "dropout 0.5 in the generator (U-Net: the three "
                                    "innermost decoder blocks)", fixed=True, paper=ISOLA)
    dropout_at_inference: bool = cgtk.option(
        True, "U-Net: keep that dropout on at test time (the paper's noise source; "
        "outputs are then stochastic)", fixed=True, paper=ISOLA)
    test_bn: str = cgtk.option(
        "batch", "norm=batch at inference and export: batch (each image normalised by its "
        "own statistics, as the paper and the reference's test.py without --eval) or "
        "moving (the training moving averages, the reference's --eval)",
        choices=("batch", "moving"), fixed=True, paper=ISOLA)
    gan_mode: str = cgtk.option("vanilla", "adversarial loss", choices=GAN_MODES, paper=ISOLA)
    lambda_l1: float = cgtk.option(100.0, "weight of the L1 term", paper=ISOLA)
    lambda_gp: float = cgtk.option(10.0, "wgangp: gradient-penalty weight",
                                   paper="Gulrajani et al. 2017")
    direction: str = cgtk.option(
        "AtoB", "which side of a pair is the input; unless set, a known dataset's reference "
        "direction is used (facades: BtoA)", choices=DIRECTIONS, paper=REF)
    update_order: str = cgtk.option(
        "D_first", "phase order of a step: D_first (the reference's optimize_parameters: D "
        "on G(a), then G against the updated D) or G_first (one generator forward less)",
        choices=("D_first", "G_first"), paper=REF)
    lr: float = cgtk.option(2e-4, "Adam learning rate (G and D)", paper=ISOLA)
    beta_1: float = cgtk.option(0.5, "Adam beta_1", paper=ISOLA)
    beta_2: float = cgtk.option(0.999, "Adam beta_2", paper=REF)
    # TrainConfig fields with pix2pix's defaults
    epochs: int = cgtk.option(200, "number of epochs to train", paper=REF)
    batch_size: int = cgtk.option(1, "global batch size", paper=ISOLA)
    image_size: int = cgtk.option(256, "training crop size", paper=ISOLA)
    load_size: int | None = cgtk.option(286, "resize to this size before the random crop",
                                        paper=ISOLA)
    flip: bool = cgtk.option(True, "random horizontal flips", paper=ISOLA)
    lr_policy: str = cgtk.option("linear_decay", "learning-rate schedule",
                                 choices=("constant", "linear_decay", "linear_decay_end", "step"),
                                 paper=REF)
    n_epochs: int | None = cgtk.option(100, "linear_decay: epochs at the initial rate", paper=REF)
    n_epochs_decay: int | None = cgtk.option(100, "linear_decay: epochs of decay to zero",
                                             paper=REF)

    def is_unet(self) -> bool:
        return self.netG.startswith("unet")

    def generator_depth(self) -> int:
        """U-Net: num_downs; ResNet: residual blocks."""
        if self.is_unet():
            return int(self.num_downs) if self.num_downs is not None else UNET_DEPTH[self.netG]
        return RESNET_BLOCKS[self.netG]

