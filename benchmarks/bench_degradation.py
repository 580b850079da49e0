"""Throughput of Real-ESRGAN's on-the-fly degradation pipeline (``realesrgan``'s data), in
(LR, HR) training pairs per second, against the same pipeline with plain bicubic LR and,
optionally (``--train``), against the training step of ``cgtk bench realesrgan``.

The data: the 80 JPEG photographs of ``../shared/data/photos/sun_hays80`` (~1024 px),
read by the ``single`` kind exactly as ``cgtk train realesrgan`` does: a random crop of
``image_size`` (reference 256) + flip, then the second-order degradation of
``cgtk.data.degrade`` (blur, resize, noise, JPEG, twice, then sinc + JPEG) down to
``image_size / scale``; batches of ``batch_size`` (reference 12). Decoded images are
cached in memory (the default when they fit ``CGTK_DATA_CACHE_MB``). Each setting runs
untimed batches first (tracing, cache fill, tf.data autotune), then ``--batches`` timed
ones, ``--repeats`` times interleaved; the median is reported.

Usage::

    python benchmarks/bench_degradation.py [--batches 20] [--repeats 3] [--size 256]
        [--batch 12] [--train] [--train-sets n_blocks=4 n_feats=32] [--train-batch 1]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_photos import shared_photos_dir  # noqa: E402


def pipeline(photos: Path, size: int, batch: int, degradations: bool, batches: int):
    from cgtk_esrgan.realesrgan import RealESRGAN

    from cgtk.data import load_train_data, resolve_source

    config = RealESRGAN.Config(image_size=size, batch_size=batch, seed=0,
                               degradations=degradations,
                               epoch_length=batch * max(batches, 8))
    data = load_train_data(resolve_source(str(photos), "single"), config)
    epoch = iter(range(1, 10_000))

    def run(n: int) -> float:
        """Seconds for ``n`` batches of a fresh epoch (a new shuffle order and seeds)."""
        ds = data.dataset(next(epoch)).take(n)
        start = time.perf_counter()
        count = 0
        for _lr, hr in ds:
            count += int(hr.shape[0])
        assert count == n * batch
        return time.perf_counter() - start

    return data, run


def train_step(size: int, batch: int, sets: list[str]) -> dict:
    """``cgtk bench realesrgan`` (random VGG weights: the same FLOPs, no download)."""
    args = [sys.executable, "-m", "cgtk.cli.main", "bench", "realesrgan", "--image-size",
            str(size), "--batch-size", str(batch), "--steps", "1", "--repeats", "2",
            "--warmup", "1", "--json", "--set", "vgg_weights=none"]
    for s in sets:
        args += ["--set", s]
    out = subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=3600)
    if out.returncode != 0:
        sys.exit(out.stderr[-2000:])
    text = out.stdout
    return json.loads(text[text.index("{"):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20, help="timed batches per repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=7,
                        help="untimed batches first (7 x 12 > 80: every photo decoded)")
    parser.add_argument("--size", type=int, default=256, help="HR crop (reference: 256)")
    parser.add_argument("--batch", type=int, default=12, help="batch (reference: 12)")
    parser.add_argument("--train", action="store_true",
                        help="also time a realesrgan training step (cgtk bench)")
    parser.add_argument("--train-sets", nargs="*", default=[],
                        help="KEY=VALUE for the training step, e.g. n_blocks=4 n_feats=32")
    parser.add_argument("--train-batch", type=int, default=1)
    args = parser.parse_args()

    import tensorflow as tf

    from cgtk.bench.machine import machine_info, versions

    info = machine_info()
    photos = shared_photos_dir()
    load = os.getloadavg()
    print(f"cpu: {info['cpu']}, {info['usable_cores']} usable cores of {info['cores']}, "
          f"{info['ram_gib']} GiB RAM; tensorflow {tf.__version__}, cgtk "
          f"{versions().get('cgtk')}")
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min)")
    print(f"data: {photos} (80 JPEGs), HR crop {args.size}, x4, batch {args.batch}; "
          f"{args.warmup} warm-up + {args.repeats} x {args.batches} timed batches")

    settings = {"bicubic LR (degradations=false)": False,
                "second-order degradation (the realesrgan default)": True}
    runners = {}
    for name, degrade in settings.items():
        data, run = pipeline(photos, args.size, args.batch, degrade, args.batches)
        run(args.warmup)
        runners[name] = run
    times = {name: [] for name in settings}
    for r in range(args.repeats):
        order = list(settings)[r % 2:] + list(settings)[:r % 2]   # interleaved, rotated
        for name in order:
            times[name].append(runners[name](args.batches))
    pairs = args.batches * args.batch
    rates = {}
    for name, ts in times.items():
        rates[name] = pairs / statistics.median(ts)
        each = ", ".join(f"{pairs / t:.1f}" for t in ts)
        print(f"{name}: {rates[name]:.1f} pairs/s (median; rounds: {each})")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    if args.train:
        step = train_step(args.size, args.train_batch, args.train_sets)
        ips = step["images_per_s"]
        degraded = rates["second-order degradation (the realesrgan default)"]
        print(f"training step ({' '.join(args.train_sets) or 'reference size'}, "
              f"{args.size} px, batch {args.train_batch}): {step['ms_per_step']:.0f} ms/step, "
              f"{ips:.3f} images/s, {step['flops']['train_per_image'] / 1e9:.0f} GFLOP/image")
        print(f"degradation / training throughput: {degraded / ips:.0f}x")


if __name__ == "__main__":
    main()
