"""Fast neural style transfer (Johnson et al. 2016): a feed-forward transformer trained
with perceptual losses -- VGG16 feature reconstruction (content), Gram-matrix style
reconstruction and total variation.

Data: ``style`` (batches of content images in [-1, 1]); the style image comes from
``setup_data(extras)`` (``extras["style_image"]``, chosen with ``--set style_image=FILE``).
Its Gram matrices are computed once there and kept as non-trainable weights, so they
are checkpointed with the run.

Loss conventions (see ``docs/style.md``): the content loss is the mean squared
feature difference; the style loss of layer ``j`` is the *mean* over the ``C_j x C_j``
entries of the squared Gram difference (Johnson's Torch code, ``nn.MSECriterion``), so
``style_weight`` is Johnson's; ``cgtk.losses.perceptual.style_loss`` sums the entries,
hence per-layer weights ``style_weight / C_j**2``.

>>> import warnings, numpy as np
>>> from cgtk_style.model import FastStyle
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     m = FastStyle(FastStyle.Config(ngf=4, n_blocks=1, vgg_weights="none"))
...     m.setup_data({"style_image": np.zeros((40, 48, 3), "float32")})
>>> [tuple(g.shape) for g in m.style_grams]
[(64, 64), (128, 128), (256, 256), (512, 512)]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from keras import ops

import cgtk
from cgtk import Inference
from cgtk.losses.perceptual import (
    VGGFeatures,
    feature_loss,
    gram_matrix,
    style_loss,
    vgg_layer_name,
)
from cgtk.losses.perceptual import total_variation as tv_loss
from cgtk_style.network import NORMS, OUTPUTS, UPSAMPLES, transformer_network

JOHNSON = "Johnson et al. 2016"


@dataclass
class FastStyleConfig(cgtk.TrainConfig):
    style_image: str | None = cgtk.option(
        None, "the style image file (default: ROOT/style.jpg of the data; demo data has its "
        "own)")
    style_size: int | None = cgtk.option(
        256, "resize the style image so its longer side is this many px (none: as is)",
        paper=JOHNSON)
    ngf: int = cgtk.option(32, "transformer width (32 -> 64 -> 128)", fixed=True,
                           paper=JOHNSON)
    n_blocks: int = cgtk.option(5, "residual blocks", fixed=True, paper=JOHNSON)
    norm: str = cgtk.option("instance_affine", "normalisation: instance norm with learned "
                            "scale/shift (Johnson's code), without, or batch (the paper)",
                            choices=NORMS, fixed=True)
    upsample: str = cgtk.option("transpose", "upsampling: transposed conv (paper) or "
                                "nearest + conv (no checkerboard)", choices=UPSAMPLES,
                                fixed=True, paper=JOHNSON)
    output: str = cgtk.option("tanh", "transformer output: tanh on [-1, 1] (cgtk), or "
                              "pixels255: linear on 0..255 pixels, as pytorch/examples "
                              "fast_neural_style's TransformerNet (what 'cgtk import style' "
                              "builds)", choices=OUTPUTS, fixed=True)
    init_seed: int | None = cgtk.option(None, "seed of the kernel initialisers (none: the "
                                        "run's --seed)", fixed=True)
    vgg_network: str = cgtk.option("vgg16", "loss network", choices=("vgg16", "vgg19"),
                                   fixed=True, paper=JOHNSON)
    content_layer: str = cgtk.option("relu2_2", "content (feature reconstruction) layer; "
                                     "Johnson's code uses relu3_3 for some styles",
                                     fixed=True, paper=JOHNSON)
    style_layers: list[str] = cgtk.option(["relu1_2", "relu2_2", "relu3_3", "relu4_3"],
                                          "style (Gram) layers", fixed=True, paper=JOHNSON)
    vgg_weights: str = cgtk.option("imagenet", "VGG weights: imagenet, a file, or none "
                                   "(random, tests only)")
    content_weight: float = cgtk.option(1.0, "weight of the content loss", paper=JOHNSON)
    style_weight: float = cgtk.option(5.0, "weight of the style loss (mean over Gram "
                                      "entries, summed over layers)", paper=JOHNSON)
    tv_weight: float = cgtk.option(6.4e3, "weight of the squared total variation (mean over "
                                   "pixels of [-1, 1] images; ~ Johnson's 1e-6 x sum over "
                                   "0-255 pixels at 256 px, batch 4)", paper=JOHNSON)
    lr: float = cgtk.option(1e-3, "Adam learning rate", paper=JOHNSON)
    epochs: int = cgtk.option(2, "number of epochs (2 x 80k COCO images = 40k steps of 4)",
                              paper=JOHNSON)
    batch_size: int = cgtk.option(4, "global batch size", paper=JOHNSON)
    image_size: int = cgtk.option(256, "content crop size", paper=JOHNSON)
    load_size: int | None = cgtk.option(256, "resize content images to this square before "
                                        "the crop (Johnson: 256x256)", paper=JOHNSON)
    flip: bool = cgtk.option(False, "random horizontal flips")


_BLOCK_CHANNELS = {"vgg16": {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}}
_BLOCK_CHANNELS["vgg19"] = _BLOCK_CHANNELS["vgg16"]


def vgg_channels(layer: str) -> int:
    """Channels of a VGG16/19 layer (``relu3_3``, ``block3_conv3``, ``pool3``).

    >>> vgg_channels("relu2_2"), vgg_channels("block4_conv3")
    (128, 512)
    """
    name = vgg_layer_name(layer)
    if not name.startswith("block") or not name[5:6].isdigit():
        raise cgtk.CgtkError(f"unknown VGG layer {layer!r}",
                             hint="use names like relu2_2 or block2_conv2")
    return _BLOCK_CHANNELS["vgg16"][int(name[5])]


class FastStyle(cgtk.GANModel):
    """Fast style transfer: one phase training the transformer ``T``."""

    Config = FastStyleConfig

    def __init__(self, config=None):
        super().__init__(config)
        c = self.config
        if not c.style_layers:
            raise cgtk.CgtkError("style_layers is empty", hint="e.g. --set style_layers="
                                 "relu1_2,relu2_2,relu3_3,relu4_3")
        seed = c.init_seed if c.init_seed is not None else c.seed
        self.T = transformer_network(ngf=c.ngf, n_blocks=c.n_blocks, norm=c.norm,
                                     upsample=c.upsample, output=c.output, seed=seed,
                                     name="T")
        self.style_layer_names = list(c.style_layers)
        self.style_channels = [vgg_channels(n) for n in self.style_layer_names]
        vgg_channels(c.content_layer)
        # The frozen VGG is built when training needs it (setup_data / phases), so building
        # the model (`cgtk plugins show`, inference) never needs its weights.
        self.vgg = None
        self.style_grams = [
            self.add_weight(shape=(ch, ch), initializer="zeros", trainable=False,
                            dtype="float32", name=f"style_gram_{name}")
            for name, ch in zip(self.style_layer_names, self.style_channels, strict=True)]
        self.style_preview = None  # the style image (numpy) for sample grids
        self._style_ready = False

    def loss_network(self) -> VGGFeatures:
        """The frozen VGG with the style and content layers (built on first use)."""
        if self.vgg is None:
            c = self.config
            layers = list(dict.fromkeys([*self.style_layer_names, c.content_layer]))
            self.vgg = VGGFeatures(c.vgg_network, layers, weights=c.vgg_weights, name="vgg")
        return self.vgg

    # ------------------------------------------------------------ style ---

    def setup_data(self, extras: dict) -> None:
        """Compute the style image's Gram matrices (once) into ``style_grams``."""
        style = extras.get("style_image")
        if style is None:
            raise cgtk.CgtkError("the style data gave no style image",
                                 hint="pass --set style_image=FILE")
        self.set_style(style)

    def set_style(self, image) -> None:
        """Set the style from an image ``[H, W, 3]`` in [-1, 1]."""
        image = np.asarray(image, dtype=np.float32)
        if image.ndim != 3 or image.shape[-1] != 3:
            raise cgtk.CgtkError(f"the style image must be RGB [H, W, 3], got {image.shape}")
        size = self.config.style_size
        x = image[None]
        if size:
            h, w = image.shape[:2]
            f = size / max(h, w)
            new = (max(1, round(h * f)), max(1, round(w * f)))
            if new != (h, w):
                x = ops.image.resize(x, new, interpolation="bicubic", antialias=True)
                x = ops.clip(x, -1.0, 1.0)
        vgg = self.loss_network()
        feats = vgg.as_dict(vgg(x))
        for var, name in zip(self.style_grams, self.style_layer_names, strict=True):
            var.assign(gram_matrix(feats[name])[0])
        self.style_preview = np.asarray(ops.convert_to_numpy(x))[0]
        self._style_ready = True

    # ------------------------------------------------------------- loss ---

    def losses_of(self, content, stylised) -> dict:
        """The three loss terms (weighted) for content images and their stylisations."""
        c = self.config
        out = ops.cast(stylised, "float32")
        vgg = self.loss_network()
        f_out = vgg.as_dict(vgg(out))
        f_in = vgg.as_dict(vgg(ops.stop_gradient(ops.cast(content, "float32"))))
        content_l = feature_loss(f_out[c.content_layer], ops.stop_gradient(f_in[c.content_layer]))
        weights = [c.style_weight / ch ** 2 for ch in self.style_channels]
        style_l = style_loss([f_out[n] for n in self.style_layer_names],
                             [ops.convert_to_tensor(g) for g in self.style_grams],
                             weights=weights)
        tv = tv_loss(out)
        return {"content": c.content_weight * content_l, "style": style_l,
                "tv": c.tv_weight * tv}

    def transformer_loss(self, batch, carry):
        if not self._style_ready:
            raise RuntimeError("FastStyle.setup_data() (or set_style) must run before training")
        content = batch[0] if isinstance(batch, (tuple, list)) else batch
        terms = self.losses_of(content, self.T(content, training=True))
        total = terms["content"] + terms["style"] + terms["tv"]
        return total, {f"T_{k}": v for k, v in terms.items()}

    def phases(self):
        self.loss_network()
        return [cgtk.Phase("transformer", [self.T], self.transformer_loss,
                           lr=self.config.lr, beta_1=0.9, beta_2=0.999)]

    def inference(self):
        return {"stylize": Inference(self.T, multiple=4, description="content -> stylised")}

    def sample_columns(self, batch) -> dict:
        content = batch[0] if isinstance(batch, (tuple, list)) else batch
        content = np.asarray(content, dtype=np.float32)
        columns = {"content": content, "stylised": self.T(content, training=False)}
        if self.style_preview is not None:
            n, h, w = content.shape[:3]
            style = ops.image.resize(self.style_preview[None], (h, w), interpolation="bilinear")
            columns["style"] = np.repeat(np.asarray(ops.convert_to_numpy(style)), n, axis=0)
        return columns
