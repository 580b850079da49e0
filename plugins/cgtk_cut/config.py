"""The options of CUT and FastCUT. Keras-free.

Every default is the reference's (taesungp/contrastive-unpaired-translation): its
``options/base_options.py`` and ``options/train_options.py``, with the changes
``models/cut_model.py`` makes for ``--CUT_mode CUT`` (:class:`CUTConfig`) and
``--CUT_mode FastCUT`` (:class:`FastCUTConfig`). The ``paper`` tag of each option says
which file; ``docs/cut.md`` lists them all.

>>> c, f = CUTConfig(), FastCUTConfig()
>>> (c.lambda_NCE, c.nce_idt, c.flip_equivariance, c.n_epochs, c.n_epochs_decay)
(1.0, True, False, 200, 200)
>>> (f.lambda_NCE, f.nce_idt, f.flip_equivariance, f.n_epochs, f.n_epochs_decay, f.epochs)
(10.0, False, True, 150, 50, 200)
>>> c.nce_layers, c.num_patches, c.nce_T, c.netF_nc
((0, 4, 8, 12, 16), 256, 0.07, 256)
"""
from __future__ import annotations

from dataclasses import dataclass

import cgtk
from cgtk.config import LR_POLICIES

PARK = "Park et al. 2020"
CUT_MODEL = "reference models/cut_model.py"
BASE = "reference options/base_options.py"
TRAIN = "reference options/train_options.py"
CUT_PRESET = "reference cut_model.py, --CUT_mode CUT"
FASTCUT_PRESET = "reference cut_model.py, --CUT_mode FastCUT"
GAN_MODES = ("lsgan", "vanilla")  # what the reference's CUT uses without a gradient penalty


@dataclass
class CUTConfig(cgtk.TrainConfig):
    """Options of :class:`cgtk_cut.model.CUT` (the ``--CUT_mode CUT`` preset)."""

    # --- generator, discriminator (reference define_G / define_D) ---
    ngf: int = cgtk.option(64, "generator filters in the first conv", fixed=True, paper=BASE)
    n_blocks: int = cgtk.option(9, "residual blocks of the generator (netG resnet_9blocks)",
                                fixed=True, paper=BASE)
    upsample: str = cgtk.option(
        "transpose", "generator upsampling: transposed convs (the reference's "
        "--no_antialias_up layout, as CycleGAN) or nearest resize + conv",
        choices=("transpose", "nearest"), fixed=True, paper="cgtk (see docs/cut.md)")
    ndf: int = cgtk.option(64, "discriminator filters in the first conv", fixed=True,
                           paper=BASE)
    n_layers_D: int = cgtk.option(3, "stride-2 convs of the PatchGAN (3: 70x70 patches)",
                                  fixed=True, paper=BASE)
    normG: str = cgtk.option("instance", "normalisation in G", fixed=True,
                             choices=("instance", "batch", "none"), paper=BASE)
    normD: str = cgtk.option("instance", "normalisation in D", fixed=True,
                             choices=("instance", "batch", "none"), paper=BASE)
    init_type: str = cgtk.option("xavier", "weight init of G, D and F", fixed=True,
                                 choices=("normal", "xavier", "kaiming", "orthogonal"),
                                 paper=BASE)
    init_gain: float = cgtk.option(0.02, "gain of the weight init", fixed=True, paper=BASE)
    # --- losses ---
    gan_mode: str = cgtk.option("lsgan", "adversarial loss", choices=GAN_MODES, paper=TRAIN)
    lambda_GAN: float = cgtk.option(1.0, "weight of the adversarial loss GAN(G(X))",
                                    paper=CUT_MODEL)
    lambda_NCE: float = cgtk.option(1.0, "weight of the PatchNCE loss NCE(G(X), X)",
                                    paper=CUT_PRESET)
    nce_idt: bool = cgtk.option(True, "also the identity PatchNCE loss NCE(G(Y), Y)",
                                paper=CUT_PRESET)
    nce_layers: tuple[int, ...] = cgtk.option(
        (0, 4, 8, 12, 16), "generator layers the NCE loss reads, in the reference's "
        "nn.Sequential indexing (see docs/cut.md for what they are here)", fixed=True,
        paper=CUT_MODEL)
    nce_includes_all_negatives_from_minibatch: bool = cgtk.option(
        False, "take negatives from every image of the batch, not only the query's own",
        paper=CUT_MODEL)
    netF_nc: int = cgtk.option(256, "units of F's two-layer MLP (netF mlp_sample)",
                               fixed=True, paper=CUT_MODEL)
    nce_T: float = cgtk.option(0.07, "temperature of the NCE loss", paper=CUT_MODEL)
    num_patches: int = cgtk.option(
        256, "patches sampled per layer (clamped, with a warning, to a layer's positions)",
        paper=CUT_MODEL)
    flip_equivariance: bool = cgtk.option(
        False, "randomly flip the input and require flipped features (FastCUT's regulariser)",
        paper=CUT_PRESET)
    # --- optimisation (G, D and F each have their Adam) ---
    lr: float = cgtk.option(2e-4, "Adam learning rate of G, D and F", paper=TRAIN)
    beta_1: float = cgtk.option(0.5, "Adam beta_1", paper=TRAIN)
    beta_2: float = cgtk.option(0.999, "Adam beta_2", paper=TRAIN)
    # --- TrainConfig fields with CUT's defaults ---
    epochs: int = cgtk.option(400, "number of epochs (n_epochs + n_epochs_decay)", paper=TRAIN)
    batch_size: int = cgtk.option(1, "global batch size", paper=BASE)
    image_size: int = cgtk.option(256, "training crop size (crop_size)", paper=BASE)
    load_size: int | None = cgtk.option(286, "resize to this size before the random crop",
                                        paper=BASE)
    flip: bool = cgtk.option(True, "random horizontal flips of the data (not --no_flip)",
                             paper=BASE)
    lr_policy: str = cgtk.option(
        "linear_decay_end", "learning-rate schedule (the reference's 'linear', stepped at the "
        "end of each epoch by its train.py)", choices=LR_POLICIES, paper=TRAIN)
    n_epochs: int | None = cgtk.option(200, "linear_decay: epochs at the initial rate",
                                       paper=TRAIN)
    n_epochs_decay: int | None = cgtk.option(200, "linear_decay: epochs of decay to zero",
                                             paper=TRAIN)


@dataclass
class FastCUTConfig(CUTConfig):
    """Options of :class:`cgtk_cut.model.FastCUT` (the ``--CUT_mode FastCUT`` preset)."""

    lambda_NCE: float = cgtk.option(10.0, "weight of the PatchNCE loss NCE(G(X), X)",
                                    paper=FASTCUT_PRESET)
    nce_idt: bool = cgtk.option(False, "also the identity PatchNCE loss NCE(G(Y), Y)",
                                paper=FASTCUT_PRESET)
    flip_equivariance: bool = cgtk.option(
        True, "randomly flip the input and require flipped features (FastCUT's regulariser)",
        paper=FASTCUT_PRESET)
    epochs: int = cgtk.option(200, "number of epochs (n_epochs + n_epochs_decay)",
                              paper=FASTCUT_PRESET)
    n_epochs: int | None = cgtk.option(150, "linear_decay: epochs at the initial rate",
                                       paper=FASTCUT_PRESET)
    n_epochs_decay: int | None = cgtk.option(50, "linear_decay: epochs of decay to zero",
                                             paper=FASTCUT_PRESET)
