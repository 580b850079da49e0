"""``cgtk eval``: metrics of a run (or ``.keras`` model) on held-out data, by data kind.

* **single** (super-resolution): Y-PSNR / Y-SSIM under :meth:`cgtk.metrics.Protocol.sr`
  (BT.601 Y, ``scale`` px border crop, uint8), next to the bicubic baseline on the
  same LR inputs.
* **paired**: L1 (mean ``|output - target|`` of the float outputs, in [-1, 1] units as
  the training loss), PSNR and SSIM on RGB uint8 images, no crop.
* **unpaired**: FID and KID per direction (translated source-domain images against the
  real target-domain images) with Inception pool features
  (:class:`cgtk.metrics.InceptionFeatures`, whose label names the protocol).
* **style**: FID and KID of the stylised images against the content images they came
  from (how far the style moves them) and against crops of the style image.

Every result states the number of images, the resize method and the protocol.
"""
from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np

from cgtk.errors import CgtkError


def eval_config(record, scale: int = 1) -> SimpleNamespace:
    """The config values :func:`cgtk.data.load_eval_data` reads, from a run's
    :class:`~cgtk.runs.record.RunRecord` (``None`` for a bare model: the defaults)."""
    import dataclasses

    from cgtk.config import TrainConfig

    values = {f.name: getattr(TrainConfig(), f.name) for f in dataclasses.fields(TrainConfig)}
    values.update(record.config if record is not None else {})
    values["scale"] = int(scale or values.get("scale") or 4)
    return SimpleNamespace(**values)


def resolve_data(src, data: str | None, kind: str | None):
    """The data source: ``--data`` or the run's own (``config.json`` "data")."""
    from cgtk.data import DataSource, resolve_source

    kind = kind or src.data_kind
    if kind is None:
        raise CgtkError(f"{src.path} is a bare .keras model: cgtk cannot tell which data "
                        "it takes", hint="pass --kind unpaired|paired|single|style and --data")
    if data is not None:
        return resolve_source(data, kind)
    recorded = src.record.data if src.record is not None else None
    if not recorded:
        raise CgtkError(f"{src.path}: no --data given and the source records none",
                        hint="pass --data FOLDER|NAME|demo")
    return DataSource.from_description(recorded)


def domains(name: str, description: str) -> tuple[str, str]:
    """``("A", "B")`` for a network that maps domain A to B (from ``a2b`` or ``"A -> B"``)."""
    m = re.fullmatch(r"([ab])2([ab])", name.lower())
    if m:
        return m.group(1).upper(), m.group(2).upper()
    m = re.match(r"\s*([AB])\b.*?->\s*([AB])\b", description or "")
    if m:
        return m.group(1), m.group(2)
    return "A", "B"


def _limit(items, limit):
    return items if not limit else items[:int(limit)]


def _run(predictor, images, progress):
    if hasattr(progress, "add_total") and hasattr(images, "__len__"):
        progress.add_total(len(images))  # a progress bar: its ETA knows the work
    outs = []
    for x in images:
        outs.append(predictor([x])[0])
        if progress:
            progress(1)
    return outs


def evaluate_single(predictor, data, entry, *, limit=None, progress=None) -> dict:
    from cgtk.metrics import Protocol, bicubic_upscale, evaluate_sr

    triples = _limit(list(data), limit)
    if not triples:
        raise CgtkError("no evaluation images")
    lrs, hrs = [t[0] for t in triples], [t[1] for t in triples]
    srs = _run(predictor, lrs, progress)
    protocol = Protocol.sr(entry.scale)
    model = evaluate_sr(srs, hrs, protocol)
    base = evaluate_sr([bicubic_upscale(x, entry.scale) for x in lrs], hrs, protocol)
    return {"network": entry.name, "description": entry.description, "n": model.n,
            "scale": entry.scale,
            "metrics": {"psnr_y": model.psnr, "ssim_y": model.ssim,
                        "bicubic_psnr_y": base.psnr, "bicubic_ssim_y": base.ssim},
            "resize": "LR from HR: bicubic (Keys a=-0.5) with antialiasing, rounded to "
                      "uint8 (or the dataset's LR files); baseline: bicubic upscaling",
            "protocol": str(protocol), "protocol_detail": protocol.to_dict()}


def evaluate_paired(predictor, data, entry, *, limit=None, progress=None) -> dict:
    from cgtk.metrics import Protocol, psnr, ssim

    triples = _limit(list(data), limit)
    if not triples:
        raise CgtkError("no evaluation images")
    outs = _run(predictor, [t[0] for t in triples], progress)
    targets = [t[1] for t in triples]
    for o, t, (_, _, name) in zip(outs, targets, triples, strict=True):
        if o.shape != t.shape:
            raise CgtkError(f"{name}: the output is {o.shape[:2]} but the target "
                            f"{t.shape[:2]}", hint="the network must keep the input size")
    protocol = Protocol(channel="rgb")
    l1 = float(np.mean([np.abs(o - t).mean() for o, t in zip(outs, targets, strict=True)]))
    return {"network": entry.name, "description": entry.description, "n": len(outs),
            "metrics": {"l1": l1, "psnr": float(np.mean(psnr(outs, targets, protocol))),
                        "ssim": float(np.mean(ssim(outs, targets, protocol)))},
            "resize": "none (whole images at their own size)",
            "protocol": "L1: mean |output - target| of float outputs in [-1, 1]; PSNR/SSIM: "
                        + str(protocol).split(" | LR:")[0], "protocol_detail": protocol.to_dict()}


def _fid(extractor, real, fake, label: str) -> dict:
    from cgtk.metrics import fid_kid

    if len(real) < 2 or len(fake) < 2:
        raise CgtkError(f"FID/KID ({label}) need at least 2 images per side, got "
                        f"{len(real)} and {len(fake)}")
    result = fid_kid(extractor(real), extractor(fake), extractor=extractor.label,
                     resize=extractor.resize, proxy=extractor.proxy)
    return result.to_dict()


def evaluate_unpaired(predictor, data, entry, extractor, *, limit=None, progress=None) -> dict:
    src_dom, tgt_dom = domains(entry.name, entry.description)
    sources = [x for x, _ in _limit(data.domain(src_dom), limit)]
    reals = [x for x, _ in _limit(data.domain(tgt_dom), limit)]
    fakes = _run(predictor, sources, progress)
    r = _fid(extractor, reals, fakes, f"{entry.name}")
    return {"network": entry.name, "description": entry.description,
            "n": {"real": len(reals), "fake": len(fakes)},
            "compared": f"{entry.name}({src_dom}) vs real {tgt_dom}",
            "metrics": {"fid": r["fid"], "kid": r["kid_mean"], "kid_std": r["kid_std"]},
            "proxy": r["proxy"], "resize": r["resize"], "protocol": r["extractor"],
            "kid_subsets": r["kid_subsets"], "kid_subset_size": r["kid_subset_size"]}


def style_crops(style: np.ndarray, n: int, size: int = 256, seed: int = 0) -> list:
    """``n`` random square crops of the style image (side ``min(size, H, W)``)."""
    rng = np.random.default_rng(seed)
    s = min(size, style.shape[0], style.shape[1])
    out = []
    for _ in range(n):
        y = int(rng.integers(0, style.shape[0] - s + 1))
        x = int(rng.integers(0, style.shape[1] - s + 1))
        out.append(style[y:y + s, x:x + s])
    return out


def evaluate_style(predictor, data, entry, extractor, style_image, *, limit=None,
                   progress=None) -> dict:
    contents = [t[0] for t in _limit(list(data), limit)]
    outs = _run(predictor, contents, progress)
    vs_content = _fid(extractor, contents, outs, "vs content")
    metrics = {"fid_vs_content": vs_content["fid"], "kid_vs_content": vs_content["kid_mean"]}
    n = {"outputs": len(outs), "content": len(contents)}
    if style_image is not None:
        crops = style_crops(style_image, max(2, len(outs)))
        vs_style = _fid(extractor, crops, outs, "vs style")
        metrics.update(fid_vs_style=vs_style["fid"], kid_vs_style=vs_style["kid_mean"])
        n["style_crops"] = len(crops)
    return {"network": entry.name, "description": entry.description, "n": n,
            "metrics": metrics, "proxy": vs_content["proxy"],
            "resize": vs_content["resize"], "protocol": vs_content["extractor"],
            "compared": "stylised outputs vs their content images; vs random crops "
                        "(<= 256 px) of the style image"}


def evaluate(src, *, data: str | None = None, split: str = "test", direction: str | None = None,
             kind: str | None = None, extractor_factory=None, tile: int | None = None,
             overlap: int = 32, limit: int | None = None, progress=None) -> dict:
    """Evaluate ``src`` (:class:`cgtk.inference.Source`); returns a JSON-ready report.

    ``direction`` picks one network; by default every network is evaluated (CycleGAN:
    both directions). ``extractor_factory()`` builds the Inception features (unpaired
    and style only).
    """
    from cgtk.data import load_eval_data
    from cgtk.inference import Predictor, load_network

    source = resolve_data(src, data, kind)
    kind = source.kind
    names = [direction] if direction else list(src.entries)
    loaded = [load_network(src, name) for name in names]
    scale = loaded[0][0].scale
    config = eval_config(src.record, scale)
    evald = load_eval_data(source, config, split)
    report = {"source": str(src.path), "plugin": src.plugin, "kind": kind,
              "data": source.describe(), "split": evald.split,
              "skipped": [[str(p), r] for p, r in evald.skipped], "results": []}
    extractor = None
    if kind in ("unpaired", "style"):
        extractor = (extractor_factory or _default_extractor)()
    style_image = None
    if kind == "style":
        from cgtk.data import load_train_data

        style_image = load_train_data(source, config).extras.get("style_image")
    for entry, network in loaded:
        predictor = Predictor(network, multiple=entry.multiple, scale=entry.scale, tile=tile,
                              overlap=overlap)
        if kind == "single":
            r = evaluate_single(predictor, evald, entry, limit=limit, progress=progress)
        elif kind == "paired":
            r = evaluate_paired(predictor, evald, entry, limit=limit, progress=progress)
        elif kind == "unpaired":
            r = evaluate_unpaired(predictor, evald, entry, extractor, limit=limit,
                                  progress=progress)
        else:
            r = evaluate_style(predictor, evald, entry, extractor, style_image, limit=limit,
                               progress=progress)
        report["results"].append(r)
    return report


def _default_extractor():
    from cgtk.metrics import InceptionFeatures

    return InceptionFeatures("auto")

