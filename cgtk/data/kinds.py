"""The four data kinds, their on-disk layouts and the image file types cgtk reads.

Every plugin consumes one kind (``Plugin.data_kind``):

* ``unpaired`` -- two domains sampled independently (CycleGAN).
* ``paired`` -- aligned input/target pairs (pix2pix).
* ``single`` -- high-resolution images; the low-resolution input is made from them
  (super-resolution).
* ``style`` -- content images plus one style image (fast style transfer).

>>> "paired" in KINDS
True
>>> print(EXPECTED_LAYOUT["unpaired"].splitlines()[0])
ROOT/trainA/*.jpg   domain A, training
"""
from __future__ import annotations

from cgtk.plugin import DATA_KINDS

KINDS = DATA_KINDS

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm",
                    ".pgm", ".tga")
"""File name endings taken for images (case-insensitive); other files are ignored."""

SPLITS = ("train", "val", "test")

EXPECTED_LAYOUT = {
    "unpaired": (
        "ROOT/trainA/*.jpg   domain A, training\n"
        "ROOT/trainB/*.jpg   domain B, training\n"
        "ROOT/testA/, ROOT/testB/   held-out images (optional)"
    ),
    "paired": (
        "either ROOT/train/*.jpg (also val/, test/) with A and B side by side in each image "
        "(the pix2pix layout),\n"
        "or ROOT/train/A/*.jpg + ROOT/train/B/*.jpg (also val/, test/) with matching file names"
    ),
    "single": (
        "either ROOT/*.png (high-resolution images directly in ROOT; all are 'train'),\n"
        "or ROOT/train/*.png (also val/, test/);\n"
        "optionally an LR/ folder beside the images (ROOT/LR/ or ROOT/train/LR/) with "
        "low-resolution versions of the same names; HR images may also sit in an HR/ folder"
    ),
    "style": (
        "either ROOT/*.jpg (content images directly in ROOT) or ROOT/content/*.jpg "
        "(also ROOT/train/, ROOT/test/),\n"
        "plus the style image: --set style_image=FILE, or a file ROOT/style.jpg"
    ),
}
"""How a folder of each kind must look; shown when a folder matches no layout."""


BATCH_CONTRACT = {
    "unpaired": (
        "`(a, b)`: two float32 batches `[B, S, S, 3]` in [-1, 1], drawn independently from "
        "domains A and B (S = `image_size`). Reads `batch_size`, `image_size`, `load_size` "
        "(resize before the random crop), `flip`, `epoch_length` (examples per epoch; none: "
        "max(|A|, |B|)), `seed`."),
    "paired": (
        "`(a, b)`: input and target, float32 `[B, S, S, 3]` in [-1, 1], cropped and flipped "
        "together. `direction` (`AtoB` | `BtoA`, a plugin option) swaps them. Reads "
        "`batch_size`, `image_size`, `load_size`, `flip`, `epoch_length` (none: the number of "
        "pairs), `seed`."),
    "single": (
        "`(lr, hr)`: `hr` is the random HR crop, float32 `[B, S, S, C]` in [-1, 1] with S = "
        "`image_size` (the **HR** crop size, a multiple of `scale`); `lr` is float32 "
        "`[B, S/scale, S/scale, C]` in [-1, 1], antialiased-bicubic-downsampled from `hr` and quantised "
        "to 8 bits, or read from an `LR/` folder beside the images. Reads `scale` (a plugin "
        "option, default 4), `channels` (1 or 3), `batch_size`, `image_size`, `load_size` "
        "(not with an LR/ folder), `flip`, `epoch_length` (none: the number of images), "
        "`seed`. An HR image smaller than the crop is skipped and counted."),
    "style": (
        "`content`: float32 `[B, S, S, 3]` in [-1, 1]. The style image is not in the "
        "batch: it reaches the model once through `setup_data(extras)` as "
        "`extras['style_image']` (a float32 numpy array `[H, W, 3]` in [-1, 1], from `style_image` or "
        "`ROOT/style.jpg`). Reads `batch_size`, `image_size`, `load_size`, `flip`, "
        "`epoch_length`, `seed`, `style_image`."),
}
"""What one training batch of each kind is, and which Config fields shape it."""


def check_kind(kind: str) -> str:
    """Return ``kind`` or raise :class:`cgtk.CgtkError` listing the valid kinds."""
    from cgtk.errors import CgtkError

    if kind not in KINDS:
        raise CgtkError(f"unknown data kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    return kind


def is_image(name: str) -> bool:
    """True when a file name ends like an image (``a.JPG`` yes, ``notes.txt`` no)."""
    return name.lower().endswith(IMAGE_EXTENSIONS) and not name.startswith(".")
