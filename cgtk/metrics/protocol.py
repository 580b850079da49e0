"""How an SR number was measured, printed next to every PSNR/SSIM figure.

>>> p = Protocol.sr(4)
>>> p.crop_border, p.channel
(4, 'y')
>>> str(p).startswith("Y (BT.601")
True
>>> Protocol.from_json(p.to_json()) == p
True
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

CHANNELS = ("y", "rgb")


@dataclass(frozen=True)
class Protocol:
    """The evaluation protocol of PSNR/SSIM (defaults: the SR literature's).

    Attributes:
        channel: ``"y"`` (BT.601 luma as MATLAB ``rgb2ycbcr``, float, from uint8 RGB)
            or ``"rgb"`` (all three channels of the uint8 image).
        crop_border: pixels removed from each border before measuring (the SR
            literature removes ``scale`` pixels).
        quantize: images are quantised to uint8 first (round, clip) -- always
            ``"uint8"``: what is measured is what would be saved.
        max_val: PSNR/SSIM peak value (255 for uint8 range).
        ssim_filter_size, ssim_sigma, ssim_k1, ssim_k2: SSIM's Gaussian window and
            constants (Wang et al. 2004: 11x11, sigma 1.5, K1 0.01, K2 0.03),
            ``tf.image.ssim``: valid windows, no downsampling.
        resize: how LR inputs are made from HR (for the bicubic baseline and SR
            datasets): ``tf.image.resize`` bicubic (Keys, a = -0.5) with antialiasing,
            LR rounded to uint8.
        round_y: round Y to integers before measuring, as MATLAB's ``rgb2ycbcr`` does
            on uint8 images (the MATLAB evaluation scripts of SRCNN/VDSR-era papers);
            the default keeps Y as a float (BasicSR and most Python code).
    """

    channel: str = "y"
    crop_border: int = 0
    quantize: str = "uint8"
    max_val: float = 255.0
    ssim_filter_size: int = 11
    ssim_sigma: float = 1.5
    ssim_k1: float = 0.01
    ssim_k2: float = 0.03
    resize: str = "bicubic-antialias-uint8"
    round_y: bool = False

    def __post_init__(self):
        if self.channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, not {self.channel!r}")
        if self.crop_border < 0:
            raise ValueError(f"crop_border must be >= 0, not {self.crop_border}")

    @classmethod
    def sr(cls, scale: int, channel: str = "y", round_y: bool = False) -> Protocol:
        """The SR literature's protocol at ``scale``: Y channel, ``scale`` px border crop."""
        return cls(channel=channel, crop_border=int(scale), round_y=round_y)

    def __str__(self) -> str:
        chan = "RGB"
        if self.channel == "y":
            chan = "Y (BT.601, MATLAB rgb2ycbcr, " + ("rounded)" if self.round_y else "float)")
        resize = ("LR: bicubic a=-0.5 antialias, uint8"
                  if self.resize == "bicubic-antialias-uint8" else f"LR: {self.resize}")
        return (f"{chan} | border crop {self.crop_border} px | {self.quantize} (round, clip) | "
                f"peak {self.max_val:g} | SSIM Gaussian {self.ssim_filter_size}x"
                f"{self.ssim_filter_size} sigma {self.ssim_sigma:g} K=({self.ssim_k1:g},"
                f"{self.ssim_k2:g}) | {resize}")

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Protocol:
        return cls(**json.loads(text))
