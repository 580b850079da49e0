"""The registry of known datasets: where to download them and how they map onto cgtk's layouts.

Each entry records the kind, the download URL(s) with a sha256 or byte size where
one is published (``None`` where it is not known: cgtk never invents a checksum;
such downloads are checked for completeness against the server's Content-Length
only), the folder inside the archive that holds cgtk's layout, a citation and a
licence note. ``manual`` entries (cityscapes) cannot be downloaded automatically;
they carry instructions instead.

>>> get("horse2zebra").kind
'unpaired'
>>> get("facades").hints["direction"]
'BtoA'
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from cgtk.errors import CgtkError


@dataclass(frozen=True)
class Download:
    """One archive: its URL, the file name to save it under, and how to verify it."""

    url: str
    filename: str
    sha256: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class KnownDataset:
    """A dataset ``cgtk train --data NAME`` and ``cgtk data fetch NAME`` know about."""

    name: str
    kind: str
    summary: str
    downloads: tuple[Download, ...] = ()
    subdir: str | None = None
    """The folder, relative to the dataset folder after extraction, that holds the layout."""
    citation: str = ""
    licence: str = ""
    manual: str | None = None
    """Instructions for datasets that cannot be downloaded automatically."""
    hints: dict = field(default_factory=dict)
    """Reference settings for this data, e.g. ``{"direction": "BtoA"}`` for facades."""

    def as_dict(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "summary": self.summary,
            "urls": [d.url for d in self.downloads],
            "downloads": [{"url": d.url, "filename": d.filename, "sha256": d.sha256,
                           "size": d.size} for d in self.downloads],
            "subdir": self.subdir, "citation": self.citation, "licence": self.licence,
            "manual": self.manual, "hints": dict(self.hints),
        }


_CYCLEGAN_CITE = ("Zhu, Park, Isola, Efros. Unpaired Image-to-Image Translation using "
                  "Cycle-Consistent Adversarial Networks. ICCV 2017")
_PIX2PIX_CITE = ("Isola, Zhu, Zhou, Efros. Image-to-Image Translation with Conditional "
                 "Adversarial Networks. CVPR 2017")


def _cyclegan(name: str, summary: str, licence: str) -> KnownDataset:
    # The Berkeley server publishes no checksums or sizes for these archives: sha256 and
    # size are None (completeness is checked against Content-Length).
    return KnownDataset(
        name=name, kind="unpaired", summary=summary,
        downloads=(Download(f"http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/{name}.zip",
                            f"{name}.zip"),),
        subdir=name, citation=_CYCLEGAN_CITE, licence=licence)


def _pix2pix(name: str, summary: str, citation: str, licence: str, direction: str
             ) -> KnownDataset:
    # No published checksums or sizes: sha256 and size are None.
    return KnownDataset(
        name=name, kind="paired", summary=summary,
        downloads=(Download(f"http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/{name}.tar.gz",
                            f"{name}.tar.gz"),),
        subdir=name, citation=f"{_PIX2PIX_CITE}; {citation}" if citation else _PIX2PIX_CITE,
        licence=licence, hints={"direction": direction})


def _sr_eval(name: str, summary: str, citation: str) -> KnownDataset:
    # Mirrors of the standard SR benchmark sets on the Hugging Face Hub (eugenesiow/*).
    # No checksum is published with them: sha256 and size are None. Each archive holds
    # NAME_HR/*.png (HR images only); cgtk makes the LR inputs by bicubic downscaling.
    url = f"https://huggingface.co/datasets/eugenesiow/{name}/resolve/main/data/{name}_HR.tar.gz"
    return KnownDataset(
        name=name.lower(), kind="single", summary=summary,
        downloads=(Download(url, f"{name}_HR.tar.gz"),), subdir=f"{name}_HR",
        citation=citation, licence="research benchmark; see the original authors' terms")


_ENTRIES = [
    _cyclegan("horse2zebra", "horses <-> zebras (ImageNet), 1067/1334 train, 120/140 test",
              "images from ImageNet: non-commercial research and education only"),
    _cyclegan("apple2orange", "apples <-> oranges (ImageNet), 995/1019 train",
              "images from ImageNet: non-commercial research and education only"),
    _cyclegan("summer2winter_yosemite", "Yosemite in summer <-> winter (Flickr)",
              "photos from Flickr under their owners' licences: research use"),
    _cyclegan("monet2photo", "Monet paintings <-> landscape photos",
              "paintings from WikiArt (public domain), photos from Flickr: research use"),
    _cyclegan("vangogh2photo", "Van Gogh paintings <-> landscape photos",
              "paintings from WikiArt (public domain), photos from Flickr: research use"),
    _pix2pix("facades", "building facades: photo (A) | label map (B), 400 train",
             "Tylecek, Sara. Spatial Pattern Templates for Recognition of Objects with Regular "
             "Structure. GCPR 2013 (CMP Facade Database)",
             "CMP Facade Database: research use, cite the authors", "BtoA"),
    _pix2pix("maps", "aerial photo (A) | map (B), 1096 train (scraped from Google Maps)", "",
             "Google Maps imagery: research use only", "AtoB"),
    _pix2pix("edges2shoes", "shoe edges (A) | photo (B), 50k train",
             "Yu, Grauman. Fine-Grained Visual Comparisons with Local Learning. CVPR 2014 "
             "(UT Zappos50K)", "UT Zappos50K: non-commercial research only", "AtoB"),
    KnownDataset(
        name="cityscapes", kind="paired",
        summary="street photo (A) | semantic labels (B), 2975 train (needs a login)",
        citation=("Cordts et al. The Cityscapes Dataset for Semantic Urban Scene "
                  "Understanding. CVPR 2016"),
        licence="Cityscapes terms of use: non-commercial, registration required",
        manual=("register at https://www.cityscapes-dataset.com, download gtFine_trainvaltest.zip "
                "and leftImg8bit_trainvaltest.zip, combine them with pix2pix's "
                "datasets/prepare_cityscapes_dataset.py, and put the result (train/, val/) in "
                "FOLDER"),
        hints={"direction": "BtoA"}),
    KnownDataset(
        name="div2k", kind="single", summary="DIV2K training set, 800 2K-resolution HR images",
        # ETH publishes no checksum for this archive (it is about 3.5 GB): sha256/size None.
        downloads=(Download("http://data.vision.ee.ethz.ch/cvl/DIV2K/DIV2K_train_HR.zip",
                            "DIV2K_train_HR.zip"),),
        subdir="DIV2K_train_HR",
        citation=("Agustsson, Timofte. NTIRE 2017 Challenge on Single Image Super-Resolution: "
                  "Dataset and Study. CVPR Workshops 2017"),
        licence="DIV2K: academic research only"),
    KnownDataset(
        name="coco2014", kind="style",
        summary="MS-COCO 2014 train images (83k), the content set of fast style transfer",
        # COCO publishes no checksum for this 13 GB archive: sha256/size None.
        downloads=(Download("http://images.cocodataset.org/zips/train2014.zip",
                            "train2014.zip"),),
        subdir="train2014",
        citation="Lin et al. Microsoft COCO: Common Objects in Context. ECCV 2014",
        licence="COCO images: Flickr terms of use; annotations CC BY 4.0"),
    _sr_eval("Set5", "Set5 SR benchmark: 5 HR images (evaluation)",
             "Bevilacqua et al. Low-Complexity Single-Image Super-Resolution based on "
             "Nonnegative Neighbor Embedding. BMVC 2012"),
    _sr_eval("Set14", "Set14 SR benchmark: 14 HR images (evaluation)",
             "Zeyde, Elad, Protter. On Single Image Scale-Up using Sparse-Representations. "
             "Curves and Surfaces 2010"),
    _sr_eval("BSD100", "BSD100 SR benchmark: 100 HR images (evaluation)",
             "Martin et al. A Database of Human Segmented Natural Images. ICCV 2001"),
]

KNOWN: dict[str, KnownDataset] = {d.name: d for d in _ENTRIES}
"""Every known dataset by name."""


def names() -> list[str]:
    return list(KNOWN)


def is_known(name: str) -> bool:
    return name.lower() in KNOWN


def get(name: str) -> KnownDataset:
    """The entry for ``name`` (case-insensitive); an unknown name is a CgtkError."""
    entry = KNOWN.get(name.lower())
    if entry is None:
        close = difflib.get_close_matches(name.lower(), list(KNOWN), n=1)
        suggestion = f"did you mean '{close[0]}'? " if close else ""
        raise CgtkError(f"unknown dataset {name!r}; {suggestion}known: {', '.join(KNOWN)}",
                        hint="or pass a folder path, or 'demo'")
    return entry


def register(entry: KnownDataset) -> None:
    """Add (or replace) a known dataset, e.g. from a plugin or a test."""
    KNOWN[entry.name] = entry
