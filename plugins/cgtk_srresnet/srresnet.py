"""SRResNet (Ledig et al. 2017): a residual super-resolution network trained with a
pixel MSE loss (default) or the VGG content loss.

Data: ``single`` (batches ``(lr, hr)``, both in [-1, 1]). The generator consumes the
LR image in [-1, 1] and produces the SR image in [-1, 1] with a *linear* output (the
paper's SRResNet/MSE; values outside [-1, 1] are clipped when saved as images).

>>> from cgtk_srresnet.srresnet import SRResNet
>>> m = SRResNet(SRResNet.Config(n_blocks=1, n_feats=8, scale=2))
>>> m.inference_networks()["generator"].scale
2
"""
from __future__ import annotations

from dataclasses import dataclass

from keras import ops

import cgtk
from cgtk import Inference
from cgtk.losses.perceptual import SRGAN_RESCALE, VGGFeatures, feature_loss
from cgtk_srresnet.msrresnet import msrresnet_generator
from cgtk_srresnet.networks import NORMS, OUTPUTS, SCALES, SKIPS, srresnet_generator

LEDIG = "Ledig et al. 2017"
LOSSES = ("mse", "perceptual")
ARCHS = ("srresnet", "msrresnet")


@dataclass
class SRResNetConfig(cgtk.TrainConfig):
    arch: str = cgtk.option("srresnet", "generator: the paper's SRResNet, or BasicSR's "
                            "MSRResNet (3x3 head, LeakyReLU 0.1, no BN, conv_hr, bilinear "
                            "skip; what 'cgtk import srresnet' builds; uses scale, n_blocks, "
                            "n_feats only)", choices=ARCHS, fixed=True,
                            paper="Wang et al. 2018 (BasicSR srresnet_arch.py)")
    scale: int = cgtk.option(4, "upscaling factor (2, 3 or 4)", choices=SCALES, fixed=True,
                             paper=LEDIG)
    n_blocks: int = cgtk.option(16, "residual blocks", fixed=True, paper=LEDIG)
    n_feats: int = cgtk.option(64, "channels of the residual body", fixed=True, paper=LEDIG)
    norm: str = cgtk.option("batch", "normalisation in the residual body (none: EDSR / "
                            "MSRResNet style)", choices=NORMS, fixed=True, paper=LEDIG)
    output: str = cgtk.option("linear", "generator output activation", choices=OUTPUTS,
                              fixed=True, paper=LEDIG)
    res_scale: float = cgtk.option(1.0, "scale of each residual branch before its skip "
                                   "(EDSR uses 0.1 for wide nets)", fixed=True)
    upsample_skip: str = cgtk.option("none", "add the bilinear/bicubic-upscaled input to the "
                                     "output (MSRResNet: bilinear)", choices=SKIPS, fixed=True,
                                     paper=LEDIG)
    init_seed: int | None = cgtk.option(None, "seed of the kernel initialisers (none: the "
                                        "run's --seed)", fixed=True)
    loss: str = cgtk.option("mse", "content loss: pixel mse, or perceptual (VGG features)",
                            choices=LOSSES, paper=LEDIG)
    vgg_network: str = cgtk.option("vgg19", "loss=perceptual: VGG network",
                                   choices=("vgg16", "vgg19"), paper=LEDIG)
    vgg_layer: str = cgtk.option("relu5_4", "loss=perceptual: VGG layer (phi_5,4)",
                                 paper=LEDIG)
    vgg_rescale: float = cgtk.option(SRGAN_RESCALE, "loss=perceptual: VGG feature scale "
                                     "(1/12.75)", paper=LEDIG)
    vgg_weights: str = cgtk.option("imagenet", "VGG weights: imagenet, a file, or none "
                                   "(random, tests only)")
    lr: float = cgtk.option(1e-4, "Adam learning rate", paper=LEDIG)
    beta_1: float = cgtk.option(0.9, "Adam beta_1", paper=LEDIG)
    epochs: int = cgtk.option(1000, "number of epochs (x 1000 steps = 10^6 updates)",
                              paper=LEDIG)
    epoch_length: int | None = cgtk.option(
        16000, "crops per epoch (1000 steps of 16; every crop drawn afresh)")
    batch_size: int = cgtk.option(16, "global batch size", paper=LEDIG)
    image_size: int = cgtk.option(96, "HR crop size (LR crops are image_size / scale)",
                                  paper=LEDIG)
    checkpoint_every: int = cgtk.option(5000, "write a checkpoint every N steps")


class SRResNet(cgtk.GANModel):
    """SRResNet: one phase, the generator, with a pixel MSE or VGG content loss."""

    Config = SRResNetConfig

    def __init__(self, config=None):
        super().__init__(config)
        c = self.config
        seed = c.init_seed if c.init_seed is not None else c.seed
        if c.arch == "msrresnet":
            self.G = msrresnet_generator(scale=c.scale, n_blocks=c.n_blocks,
                                         n_feats=c.n_feats, seed=seed, name="G")
        else:
            self.G = srresnet_generator(
                scale=c.scale, n_blocks=c.n_blocks, n_feats=c.n_feats, norm=c.norm,
                output=c.output, res_scale=c.res_scale, upsample_skip=c.upsample_skip,
                seed=seed, name="G")
        # The frozen VGG of loss=perceptual is built when training starts (phases()), so
        # building the model (`cgtk plugins show`, inference) never needs its weights.
        self.vgg = None

    def loss_network(self) -> VGGFeatures | None:
        """The frozen VGG of ``loss=perceptual`` (built on first use), else None."""
        c = self.config
        if c.loss == "perceptual" and self.vgg is None:
            self.vgg = VGGFeatures(c.vgg_network, [c.vgg_layer], weights=c.vgg_weights,
                                   rescale=c.vgg_rescale, name="vgg")
        return self.vgg

    # --------------------------------------------------------------- losses ---

    def content_loss(self, sr, hr) -> tuple:
        """``(loss, {term: value})`` of the configured content loss."""
        sr, hr = ops.cast(sr, "float32"), ops.cast(hr, "float32")
        net = self.loss_network()
        if net is None:
            mse = ops.mean(ops.square(sr - hr))
            return mse, {"G_mse": mse}
        vgg = feature_loss(net(sr), net(ops.stop_gradient(hr)))
        return vgg, {"G_vgg": vgg}

    def generator_loss(self, batch, carry):
        lr, hr = batch
        sr = self.G(lr, training=True)
        loss, terms = self.content_loss(sr, hr)
        return loss, terms

    def phases(self):
        c = self.config
        self.loss_network()
        return [cgtk.Phase("generator", [self.G], self.generator_loss, lr=c.lr,
                           beta_1=c.beta_1)]

    def inference(self):
        s = self.config.scale
        return {"generator": Inference(self.G, multiple=1, scale=s,
                                       description=f"LR -> HR (x{s})")}
