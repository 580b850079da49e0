"""``cgtk infer`` over a folder, and tiles on a large photo, against the bare forward rate.

* **folder**: ``--count`` photos (default 100) at ``--size`` px (512), made from the shared
  scene photos (``../shared/data/photos/sun_hays80``: centre crop, resize, JPEG q95, with
  flipped copies past 80) in a temporary folder (never in the repo). Each round times
  :func:`cgtk.inference.infer_files` (decode, pad, forward, crop, PNG encode, write: what
  ``cgtk infer`` runs after loading the network) over the whole folder, then the bare
  forward pass (:meth:`Predictor.forward`) on as many in-memory batches of that size.
  Goal (issue 22): folder seconds per image within 1.10x of the bare forward.
* **tiles**: one ``--big`` photo (4000x3000), tiled (``--tile`` 512, ``--overlap`` 32),
  against one untiled pass over the same image (the same total area). Goal: cost per
  output pixel within 1.3x.

The network is the plugin's inference network with random weights; by default the
CycleGAN ResNet-9 at ``ngf=16`` (1/16 of the paper's FLOPs), which makes I/O and blending
*larger* relative to the forward than at ngf 64: a harder test of the overlap.

    python benchmarks/bench_infer_folder.py --rounds 2 --out /tmp/folder.json
    python benchmarks/bench_infer_folder.py --parts tiles --set ngf=64
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_photos import shared_photos_dir  # noqa: E402


def shared_photos() -> list[Path]:
    return sorted(shared_photos_dir().glob("*.jpg"))


def make_folder(folder: Path, count: int, size: int) -> list[Path]:
    from PIL import Image, ImageOps

    photos, out = shared_photos(), []
    for i in range(count):
        with Image.open(photos[i % len(photos)]) as im:
            im = ImageOps.fit(im.convert("RGB"), (size, size))
            if (i // len(photos)) % 2:
                im = ImageOps.mirror(im)
            path = folder / f"photo_{i:03d}.jpg"
            im.save(path, quality=95)
            out.append(path)
    return out


def make_big(path: Path, width: int, height: int) -> Path:
    from PIL import Image, ImageOps

    with Image.open(shared_photos()[0]) as im:
        ImageOps.fit(im.convert("RGB"), (width, height), Image.BICUBIC).save(path, quality=95)
    return path


def build_network(plugin: str, sets: list, image_size: int):
    from cgtk.bench import runner

    # the training crop size is irrelevant to the inference network (any input size)
    info, config = runner.resolve(plugin, backend=os.environ["KERAS_BACKEND"], sets=sets,
                                  batch_size=1)
    built = runner.build_model(info.cls, config, jit=False, train=False)
    _, inference = next(iter(built.model.inference_networks().items()))
    return inference


def _med(xs):
    return round(statistics.median(xs), 4)


def folder_part(a, inference, tmp: Path) -> dict:
    import numpy as np

    from cgtk.inference import Predictor, infer_files, list_inputs

    src = tmp / "in"
    src.mkdir()
    make_folder(src, a.count, a.size)
    files, _ = list_inputs(src)
    predictor = Predictor(inference.network, multiple=inference.multiple, scale=inference.scale,
                          batch_size=a.batch_size)
    x = np.random.default_rng(0).uniform(-1, 1, (a.batch_size, a.size, a.size, 3)).astype(
        "float32")
    predictor.forward(x)  # warm up (trace)
    folder_s, bare_s = [], []
    for r in range(a.rounds):
        out = tmp / f"out{r}"
        t0 = time.perf_counter()
        report = infer_files(predictor, files, out, fmt="png")
        folder_s.append((time.perf_counter() - t0) / len(report.written))
        t0 = time.perf_counter()
        for _ in range(0, len(files), a.batch_size):
            predictor.forward(x)
        bare_s.append((time.perf_counter() - t0) / len(files))
        print(f"round {r}: folder {folder_s[-1] * 1000:.1f} ms/image, bare forward "
              f"{bare_s[-1] * 1000:.1f} ms/image, ratio {folder_s[-1] / bare_s[-1]:.3f}",
              flush=True)
    ratios = [f / b for f, b in zip(folder_s, bare_s, strict=True)]
    return {"images": len(files), "size": a.size, "batch_size": a.batch_size,
            "folder_s_per_image": [round(v, 4) for v in folder_s],
            "bare_s_per_image": [round(v, 4) for v in bare_s],
            "folder_median": _med(folder_s), "bare_median": _med(bare_s),
            "ratio_round_median": round(statistics.median(ratios), 3),
            "ratios": [round(v, 3) for v in ratios], "goal": 1.10}


def tiles_part(a, inference, tmp: Path) -> dict:
    from cgtk.data.decode import decode_file
    from cgtk.inference import Predictor
    from cgtk.inference.run import to_float
    from cgtk.inference.tiles import tile_count

    w, h = a.big
    image = to_float(decode_file(make_big(tmp / "big.jpg", w, h)))
    whole = Predictor(inference.network, multiple=inference.multiple, scale=inference.scale)
    tiled = Predictor(inference.network, multiple=inference.multiple, scale=inference.scale,
                      tile=a.tile, overlap=a.overlap, batch_size=a.tile_batch)
    whole([image[:a.tile, :a.tile]])  # warm up (trace) both on a small crop
    tiled([image[:a.tile, :a.tile]])
    untiled_s, tiled_s = [], []
    pixels = h * w * inference.scale ** 2
    for r in range(a.rounds):
        t0 = time.perf_counter()
        whole([image])
        untiled_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        tiled([image])
        tiled_s.append(time.perf_counter() - t0)
        print(f"round {r}: untiled {untiled_s[-1]:.2f} s, tiled {tiled_s[-1]:.2f} s, "
              f"ratio {tiled_s[-1] / untiled_s[-1]:.3f}", flush=True)
    ratios = [t / u for t, u in zip(tiled_s, untiled_s, strict=True)]
    return {"image": [w, h], "tile": a.tile, "overlap": a.overlap, "tile_batch": a.tile_batch,
            "tiles": tile_count(h, w, a.tile, a.overlap, inference.multiple),
            "untiled_s": [round(v, 3) for v in untiled_s],
            "tiled_s": [round(v, 3) for v in tiled_s],
            "untiled_ns_per_output_pixel": round(1e9 * statistics.median(untiled_s) / pixels, 2),
            "tiled_ns_per_output_pixel": round(1e9 * statistics.median(tiled_s) / pixels, 2),
            "ratio_round_median": round(statistics.median(ratios), 3),
            "ratios": [round(v, 3) for v in ratios], "goal": 1.3}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parts", nargs="+", choices=("folder", "tiles"),
                   default=["folder", "tiles"])
    p.add_argument("--plugin", default="cyclegan")
    p.add_argument("--set", action="append", default=None,
                   help="config override (default: ngf=16)")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--big", type=int, nargs=2, default=[4000, 3000], metavar=("W", "H"))
    p.add_argument("--tile", type=int, default=512)
    p.add_argument("--overlap", type=int, default=32)
    p.add_argument("--tile-batch", type=int, default=1)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from cgtk.bench import machine

    sets = a.set if a.set is not None else ["ngf=16"]
    inference = build_network(a.plugin, sets, a.size)
    report = {"machine": machine.machine_info(), "versions": machine.versions(),
              "date": machine.now(), "command": " ".join(["python", *sys.argv]),
              "plugin": a.plugin, "sets": sets, "load_average": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="cgtk-folder-bench-") as tmp:
        if "folder" in a.parts:
            report["folder"] = folder_part(a, inference, Path(tmp))
        if "tiles" in a.parts:
            report["tiles"] = tiles_part(a, inference, Path(tmp))
    report["load_average_end"] = os.getloadavg()
    print(json.dumps({k: report[k] for k in ("folder", "tiles") if k in report}, indent=1))
    if a.out:
        a.out.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
