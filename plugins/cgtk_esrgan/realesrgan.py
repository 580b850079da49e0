"""Real-ESRGAN (Wang et al. 2021), ``train_realesrgan_x4plus.yml``: RRDBNet against
the U-Net discriminator with spectral norm, with L1 + perceptual (the reference's VGG19
layer weights, before the ReLU) + a vanilla GAN loss with weight 0.1.

Data: the ``single`` kind; its training LR crops come from the second-order degradation
model (:mod:`cgtk.data.degrade`, through ``Config.make_lr``) instead of bicubic
downscaling; samples and ``cgtk eval`` use bicubic LR. An EMA of G (``ema_decay``
0.999) is what inference, eval and export use (:mod:`cgtk_esrgan.ema`).

>>> from cgtk_esrgan.realesrgan import RealESRGAN
>>> c = RealESRGAN.Config()
>>> c.discriminator, c.gan_weight, c.pixel_weight, c.vgg_layer_weights
('unet', 0.1, 1.0, (0.1, 0.1, 1.0, 1.0, 1.0))
"""
from __future__ import annotations

from dataclasses import dataclass

from keras import ops

import cgtk
from cgtk_esrgan.config import DISCRIMINATORS, ESRGANConfig
from cgtk_esrgan.esrgan import ESRGAN, bce

REAL = "Wang et al. 2021 (Real-ESRGAN)"
X4PLUS = "Real-ESRGAN train_realesrgan_x4plus.yml"


@dataclass
class RealESRGANConfig(ESRGANConfig):
    discriminator: str = cgtk.option("unet", "unet: the U-Net with spectral norm; vgg: "
                                     "BasicSR's VGGStyleDiscriminator", choices=DISCRIMINATORS,
                                     fixed=True, paper=X4PLUS)
    pixel_weight: float = cgtk.option(1.0, "weight of the L1 loss (on [0, 1] images)",
                                      paper=X4PLUS)
    gan_weight: float = cgtk.option(0.1, "weight of the vanilla GAN loss in G's loss",
                                    paper=X4PLUS)
    vgg_layers: tuple[str, ...] = cgtk.option(
        ("conv1_2_pre", "conv2_2_pre", "conv3_4_pre", "conv4_4_pre", "conv5_4_pre"),
        "VGG19 layers of the perceptual loss, before their ReLU", paper=X4PLUS)
    vgg_layer_weights: tuple[float, ...] = cgtk.option((0.1, 0.1, 1.0, 1.0, 1.0),
                                                       "weight of each vgg_layers entry",
                                                       paper=X4PLUS)
    ema_decay: float | None = cgtk.option(
        0.999, "decay of the exponential moving average of G's weights, updated after "
        "every step; the average is the network infer, eval and export use (0: off)",
        fixed=True, paper=f"{X4PLUS}, train_realesrnet_x4plus.yml")
    lr_milestones: tuple[float, ...] = cgtk.option((1.0,), "multistep: fractions of the run "
                                                   "(400k of 400k: no decay in the run)",
                                                   paper=X4PLUS)
    epochs: int = cgtk.option(400, "number of epochs (x 1000 steps = 4x10^5 iterations)",
                              paper=X4PLUS)
    epoch_length: int | None = cgtk.option(12000, "crops per epoch (1000 steps of 12)")
    batch_size: int = cgtk.option(12, "global batch size", paper=X4PLUS)
    image_size: int = cgtk.option(256, "HR crop size (gt_size)", paper=X4PLUS)
    degradations: bool = cgtk.option(True, "degrade training HR crops on the fly with the second-order model (false: bicubic LR, the single kind's)", paper=REAL)
    blur_kernel_size: int = cgtk.option(21, "largest blur kernel (kernels are 7..21, odd, zero-padded to it)", paper=X4PLUS)
    kernel_prob: tuple[float, ...] = cgtk.option((0.45, 0.25, 0.12, 0.03, 0.12, 0.03), "1st blur: P(iso, aniso, generalized iso/aniso, plateau iso/aniso)", paper=X4PLUS)
    sinc_prob: float = cgtk.option(0.1, "1st blur: probability of a sinc kernel instead", paper=X4PLUS)
    blur_sigma: tuple[float, ...] = cgtk.option((0.2, 3.0), "1st blur: Gaussian sigma range", paper=X4PLUS)
    betag_range: tuple[float, ...] = cgtk.option((0.5, 4.0), "1st blur: generalized Gaussian beta range", paper=X4PLUS)
    betap_range: tuple[float, ...] = cgtk.option((1.0, 2.0), "1st blur: plateau beta range", paper=X4PLUS)
    resize_prob: tuple[float, ...] = cgtk.option((0.2, 0.7, 0.1), "1st resize: P(up, down, keep)", paper=X4PLUS)
    resize_range: tuple[float, ...] = cgtk.option((0.15, 1.5), "1st resize: factor range", paper=X4PLUS)
    gaussian_noise_prob: float = cgtk.option(0.5, "1st noise: P(Gaussian) (else Poisson)", paper=X4PLUS)
    noise_range: tuple[float, ...] = cgtk.option((1.0, 30.0), "1st noise: Gaussian sigma range (of 255)", paper=X4PLUS)
    poisson_scale_range: tuple[float, ...] = cgtk.option((0.05, 3.0), "1st noise: Poisson scale range", paper=X4PLUS)
    gray_noise_prob: float = cgtk.option(0.4, "1st noise: P(gray noise)", paper=X4PLUS)
    jpeg_range: tuple[float, ...] = cgtk.option((30.0, 95.0), "1st JPEG: quality range", paper=X4PLUS)
    second_blur_prob: float = cgtk.option(0.8, "2nd degradation: probability of blurring", paper=X4PLUS)
    kernel_prob2: tuple[float, ...] = cgtk.option((0.45, 0.25, 0.12, 0.03, 0.12, 0.03), "2nd blur: kernel type probabilities", paper=X4PLUS)
    sinc_prob2: float = cgtk.option(0.1, "2nd blur: probability of a sinc kernel", paper=X4PLUS)
    blur_sigma2: tuple[float, ...] = cgtk.option((0.2, 1.5), "2nd blur: Gaussian sigma range", paper=X4PLUS)
    betag_range2: tuple[float, ...] = cgtk.option((0.5, 4.0), "2nd blur: generalized Gaussian beta range", paper=X4PLUS)
    betap_range2: tuple[float, ...] = cgtk.option((1.0, 2.0), "2nd blur: plateau beta range", paper=X4PLUS)
    resize_prob2: tuple[float, ...] = cgtk.option((0.3, 0.4, 0.3), "2nd resize: P(up, down, keep)", paper=X4PLUS)
    resize_range2: tuple[float, ...] = cgtk.option((0.3, 1.2), "2nd resize: factor range", paper=X4PLUS)
    gaussian_noise_prob2: float = cgtk.option(0.5, "2nd noise: P(Gaussian)", paper=X4PLUS)
    noise_range2: tuple[float, ...] = cgtk.option((1.0, 25.0), "2nd noise: Gaussian sigma range (of 255)", paper=X4PLUS)
    poisson_scale_range2: tuple[float, ...] = cgtk.option((0.05, 2.5), "2nd noise: Poisson scale range", paper=X4PLUS)
    gray_noise_prob2: float = cgtk.option(0.4, "2nd noise: P(gray noise)", paper=X4PLUS)
    jpeg_range2: tuple[float, ...] = cgtk.option((30.0, 95.0), "2nd JPEG: quality range", paper=X4PLUS)
    final_sinc_prob: float = cgtk.option(0.8, "final: probability of the sinc filter", paper=X4PLUS)

    def make_lr(self):
        """The training LR maker of the ``single`` data kind: the second-order degradation
        (validated here: an option out of range is a one-line error naming it)."""
        if not self.degradations:
            return None
        from cgtk.data.degrade import DegradationOptions, degrade

        opts = DegradationOptions.from_config(self)

        def make(hr, seed, scale):
            lr, _ = degrade((hr + 1.0) * 0.5, seed, opts, scale)
            return lr * 2.0 - 1.0
        return make


class RealESRGAN(ESRGAN):
    """Real-ESRGAN's GAN stage: phases "generator" and "discriminator" (vanilla GAN)."""

    Config = RealESRGANConfig
    tiny_config = {**ESRGAN.tiny_config}

    def generator_loss(self, batch, carry):
        c = self.config
        sr, loss, terms = self.content_terms(batch, carry)
        gan = bce(self.D(sr, training=True), 1.0)
        terms["G_gan"] = gan
        return loss + c.gan_weight * gan, terms

    def discriminator_loss(self, batch, carry):
        _, hr = batch
        real = bce(self.D(hr, training=True), 1.0)
        fake = bce(self.D(ops.stop_gradient(carry["sr"]), training=True), 0.0)
        return real + fake, {"D_real": real, "D_fake": fake}
