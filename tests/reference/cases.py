"""The forward-parity cases: one tiny reference network each, and how cgtk imports it.

Shared by ``make_fixtures.py`` (torch: writes ``fixtures/NAME.npz``) and the tests
(``tests/importing/test_parity.py``). Keras- and torch-free at import time.

Each case: a builder of the torch re-statement (in :mod:`reference.networks`), the input
shape (N, C, H, W; not square and not a power of two where the net allows), the input
range, how cgtk sees it (plugin + ``--set``, or a bare cgtk.nn network), and the
stride at which a fixture keeps the expected output (to keep the files small).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Case:
    name: str
    build: str                     # expression over `networks`, e.g. "ResnetGenerator(...)"
    shape: tuple                   # NCHW input
    low: float = -1.0              # input range in the reference's convention
    high: float = 1.0
    plugin: str | None = None      # cgtk import PLUGIN; None: a bare cgtk.nn network
    sets: tuple = ()
    to_cgtk: tuple = (1.0, 0.0)    # cgtk input = a * reference input + b (cgtk: [-1, 1])
    stride: int = 1                # fixture keeps expected[..., ::stride, ::stride]
    extra_keys: dict = field(default_factory=dict)  # legacy keys added to the state dict


CASES = [
    Case("resnet6_instance", "ResnetGenerator(3, 3, ngf=2, norm='instance', n_blocks=6)",
         (1, 3, 20, 28), plugin="cyclegan"),
    Case("resnet9_batch", "ResnetGenerator(3, 3, ngf=2, norm='batch', n_blocks=9)",
         (1, 3, 20, 28), plugin="pix2pix", sets=("use_dropout=false", "test_bn=moving")),
    Case("unet128_batch", "UnetGenerator(3, 3, num_downs=7, ngf=2, norm='batch')",
         (1, 3, 128, 384), plugin="pix2pix",
         sets=("use_dropout=false", "dropout_at_inference=false", "test_bn=moving"), stride=4),
    Case("unet256_batch", "UnetGenerator(3, 3, num_downs=8, ngf=2, norm='batch')",
         (1, 3, 256, 256), plugin="pix2pix",
         sets=("use_dropout=false", "dropout_at_inference=false", "test_bn=moving"), stride=4),
    Case("patchgan_batch", "NLayerDiscriminator(6, ndf=2, n_layers=3, norm='batch')",
         (1, 6, 44, 60)),
    Case("transformer_net", "TransformerNet(width=0.125)", (1, 3, 20, 28), low=0.0,
         high=255.0, plugin="style", to_cgtk=(1 / 127.5, -1.0),
         extra_keys={"in1.running_mean": 4, "in1.running_var": 4,
                     "res1.in2.running_mean": 16}),
    Case("msrresnet_x4", "MSRResNet(num_feat=8, num_block=2, upscale=4)", (1, 3, 9, 13),
         low=0.0, high=1.0, plugin="srresnet", to_cgtk=(2.0, -1.0)),
    Case("msrresnet_x3", "MSRResNet(num_feat=4, num_block=1, upscale=3)", (1, 3, 7, 11),
         low=0.0, high=1.0, plugin="srresnet", to_cgtk=(2.0, -1.0)),
    Case("rrdbnet_x4", "RRDBNet(3, 3, scale=4, num_feat=16, num_block=2, num_grow_ch=8)",
         (1, 3, 9, 13), low=0.0, high=1.0, plugin="esrgan", to_cgtk=(2.0, -1.0)),
    Case("rrdbnet_x2", "RRDBNet(3, 3, scale=2, num_feat=8, num_block=1, num_grow_ch=4)",
         (1, 3, 10, 14), low=0.0, high=1.0, plugin="realesrgan", to_cgtk=(2.0, -1.0)),
    Case("rrdbnet_esrgan_repo_x4", "ESRGANRRDBNet(nf=8, nb=1, gc=4)", (1, 3, 9, 13),
         low=0.0, high=1.0, plugin="esrgan", to_cgtk=(2.0, -1.0)),
]

BY_NAME = {c.name: c for c in CASES}


def case_input(case: Case, seed: int = 0) -> np.ndarray:
    return np.random.RandomState(seed).uniform(case.low, case.high, case.shape).astype("float32")


def to_cgtk(case: Case, x: np.ndarray) -> np.ndarray:
    """Reference NCHW input -> cgtk NHWC input."""
    a, b = case.to_cgtk
    return (a * x + b).transpose(0, 2, 3, 1).astype("float32")


def from_cgtk(case: Case, y: np.ndarray) -> np.ndarray:
    """cgtk NHWC output -> the reference's NCHW output convention."""
    a, b = case.to_cgtk
    return ((np.asarray(y, "float32") - b) / a).transpose(0, 3, 1, 2)


def build_reference(case: Case, seed: int = 0):
    """The torch re-statement with random weights and non-trivial norm statistics (eval)."""
    import torch

    from reference import networks

    torch.manual_seed(seed)
    net = eval(case.build, {}, vars(networks))  # noqa: S307 - our own constant expressions
    return networks.randomize_batchnorm(net, seed).eval()


def state_dict_arrays(case: Case, net) -> dict:
    """The net's state dict as numpy, plus the case's legacy keys (e.g. InstanceNorm
    running stats of old fast_neural_style files)."""
    out = {k: v.detach().cpu().numpy() for k, v in net.state_dict().items()}
    for key, n in case.extra_keys.items():
        out[key] = np.zeros(n, "float32") if key.endswith("mean") else np.ones(n, "float32")
    return out
