"""ESRGAN's options, with their provenance.

Defaults are the published ESRGAN (Wang et al. 2018) as BasicSR trains it:
``options/train/ESRGAN/train_ESRGAN_x4.yml`` (the GAN stage, ``stage=gan``) and
``train_RRDBNet_PSNR_x4.yml`` (the PSNR-oriented first stage, ``stage=psnr``).
"""
from __future__ import annotations

from dataclasses import dataclass

import cgtk
from cgtk_esrgan.rrdbnet import SCALES, SKIPS, X2_LAYOUTS

WANG = "Wang et al. 2018 (ESRGAN)"
GAN_YML = "BasicSR train_ESRGAN_x4.yml"
PSNR_YML = "BasicSR train_RRDBNet_PSNR_x4.yml"
STAGES = ("gan", "psnr")
DISCRIMINATORS = ("vgg", "unet")
SCHEDULES = ("multistep", "cosine_restarts", "constant")
#: Keras' VGG19 takes caffe inputs (0-255 BGR minus the mean); BasicSR's takes
#: torchvision inputs ((x - mean) / std on [0, 1]), 255 * 0.226 times smaller. Feature
#: maps are rescaled by the inverse so the loss weights keep their reference meaning
#: (the two VGG19s are different trainings, so this is an approximation).
VGG_INPUT_RATIO = 1.0 / (255.0 * 0.226)


@dataclass
class ESRGANConfig(cgtk.TrainConfig):
    stage: str = cgtk.option("gan", "gan: the published ESRGAN (L1 + VGG + RaGAN); psnr: "
                             "the PSNR-oriented first stage (L1 only, no D or VGG built)",
                             choices=STAGES, fixed=True, paper=WANG)
    scale: int = cgtk.option(4, "upscaling factor (one nearest x2 + conv stage per factor 2)",
                             choices=SCALES, fixed=True, paper=WANG)
    x2_layout: str = cgtk.option("stage", "scale=2 only: stage (one nearest x2 + conv "
                                 "stage) or unshuffle (BasicSR's x2 RRDBNet: pixel-unshuffle "
                                 "the input by 2, then two stages; x2 reference weights such "
                                 "as RealESRGAN_x2plus.pth need it)", choices=X2_LAYOUTS,
                                 fixed=True)
    n_blocks: int = cgtk.option(23, "RRDBs in the trunk", fixed=True, paper=GAN_YML)
    n_feats: int = cgtk.option(64, "trunk channels", fixed=True, paper=GAN_YML)
    growth: int = cgtk.option(32, "channels each dense-block conv adds", fixed=True,
                              paper=GAN_YML)
    upsample_skip: str = cgtk.option("none", "add the bilinear/bicubic-upscaled input to the "
                                     "output (not in ESRGAN: none; for short runs)",
                                     choices=SKIPS, fixed=True)
    init_seed: int | None = cgtk.option(None, "seed of the initialisers (none: the run's "
                                        "--seed)", fixed=True)
    discriminator: str = cgtk.option("vgg", "vgg: BasicSR's VGGStyleDiscriminator (needs a "
                                     "crop that is a multiple of 32); unet: Real-ESRGAN's "
                                     "U-Net with spectral norm", choices=DISCRIMINATORS,
                                     fixed=True, paper=GAN_YML)
    ndf: int = cgtk.option(64, "discriminator base width", fixed=True, paper=GAN_YML)
    pixel_weight: float = cgtk.option(1e-2, "weight of the L1 loss in the GAN stage (the "
                                      "psnr stage uses 1); L1 on [0, 1] images as BasicSR",
                                      paper=GAN_YML)
    perceptual_weight: float = cgtk.option(1.0, "weight of the VGG feature L1 loss",
                                           paper=GAN_YML)
    gan_weight: float = cgtk.option(5e-3, "weight of the relativistic average GAN loss in "
                                    "G's loss (D's loss is unweighted, as in BasicSR)",
                                    paper=GAN_YML)
    vgg_layers: tuple[str, ...] = cgtk.option(("conv5_4_pre",), "VGG19 layers of the perceptual loss "
                                    "(_pre: before the ReLU; ESRGAN's conv5_4)", paper=WANG)
    vgg_layer_weights: tuple[float, ...] = cgtk.option((1.0,), "weight of each vgg_layers entry",
                                           paper=GAN_YML)
    vgg_rescale: float = cgtk.option(VGG_INPUT_RATIO, "scale of the VGG features: "
                                     "1/(255*0.226), Keras' caffe VGG input to torchvision's")
    vgg_weights: str = cgtk.option("imagenet", "VGG weights: imagenet, a file, or none "
                                   "(random, tests only)")
    ema_decay: float | None = cgtk.option(
        None, "decay of the exponential moving average of G's weights, updated after "
        "every step; the average is the network infer, eval and export use (0: off, G "
        "itself; none: 0.999 for gan, 0 for psnr, as the two BasicSR ymls)", fixed=True,
        paper=f"{GAN_YML}, {PSNR_YML}")
    lr: float | None = cgtk.option(None, "generator Adam learning rate (none: 1e-4 for gan, "
                                   "2e-4 for psnr)", paper=f"{GAN_YML}, {PSNR_YML}")
    d_lr: float = cgtk.option(1e-4, "discriminator Adam learning rate", paper=GAN_YML)
    beta_1: float = cgtk.option(0.9, "Adam beta_1", paper=GAN_YML)
    beta_2: float = cgtk.option(0.99, "Adam beta_2", paper=GAN_YML)
    lr_schedule: str | None = cgtk.option(
        None, "multistep (x lr_gamma at lr_milestones), cosine_restarts (4 periods down to "
        "1e-7) or constant; none: multistep for gan, cosine_restarts for psnr",
        choices=SCHEDULES, paper=f"{GAN_YML}, {PSNR_YML}")
    lr_milestones: tuple[float, ...] = cgtk.option((0.125, 0.25, 0.5, 0.75), "multistep: fractions of "
                                       "the run (50k, 100k, 200k, 300k of 400k iterations)",
                                       paper=GAN_YML)
    lr_gamma: float = cgtk.option(0.5, "multistep: the factor at each milestone",
                                  paper=GAN_YML)
    epochs: int = cgtk.option(400, "number of epochs (x 1000 steps = the GAN stage's 4x10^5 "
                              "iterations; the psnr stage ran 10^6)", paper=GAN_YML)
    epoch_length: int | None = cgtk.option(
        16000, "crops per epoch (1000 steps of 16; every crop drawn afresh)")
    batch_size: int = cgtk.option(16, "global batch size", paper=GAN_YML)
    image_size: int = cgtk.option(128, "HR crop size (gt_size; LR crops are image_size / "
                                  "scale)", paper=GAN_YML)
    checkpoint_every: int = cgtk.option(5000, "write a checkpoint every N steps",
                                        paper=GAN_YML)

    def generator_lr(self) -> float:
        return self.lr if self.lr is not None else (2e-4 if self.stage == "psnr" else 1e-4)

    def ema(self) -> float:
        """The EMA decay in use (0: no EMA); out of [0, 1) is a one-line error."""
        decay = self.ema_decay if self.ema_decay is not None else (
            0.0 if self.stage == "psnr" else 0.999)
        if not 0.0 <= float(decay) < 1.0:
            raise cgtk.CgtkError(f"ema_decay={decay}: must be in [0, 1) (0 turns the EMA "
                                 "off)", hint="--set ema_decay=0.999 (the reference)")
        return float(decay)

    def schedule(self) -> str:
        if self.lr_schedule is not None:
            return self.lr_schedule
        return "cosine_restarts" if self.stage == "psnr" else "multistep"
