"""Decode-plus-augment throughput of the tf.data input pipeline, in images per second.

Reads the 80 JPEG photographs of ``../shared/data/photos/sun_hays80`` (about 1024 px
wide) as content images and produces random 256x256 crops with random flips, the
reference augmentation, in batches of 16. Two settings:

* ``files``: every image decoded from its file on every epoch (``CGTK_DATA_CACHE_MB=0``),
  tf.io JPEG decoding in parallel (AUTOTUNE);
* ``cached``: decoded once into memory (the default when a split fits the cache budget).

Usage::

    python benchmarks/bench_data.py [--epochs 5] [--batch 16] [--size 256]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from shared_photos import shared_photos_dir  # noqa: E402


def measure(source, config, epochs: int) -> tuple[float, int, float]:
    from cgtk.data import load_train_data

    start = time.perf_counter()
    data = load_train_data(source, config)
    setup = time.perf_counter() - start
    for _ in data.dataset(0):  # warm-up: tracing, file cache, autotune
        pass
    count = 0
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        for batch in data.dataset(epoch):
            count += int(batch.shape[0])
    elapsed = time.perf_counter() - start
    return count / elapsed, count, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()

    import tensorflow as tf

    from cgtk.config import TrainConfig
    from cgtk.data import resolve_source

    photos = shared_photos_dir()
    source = resolve_source(str(photos), "style")
    config = TrainConfig(batch_size=args.batch, image_size=args.size, seed=0)
    config.style_image = str(sorted(photos.glob("*.jpg"))[0])
    print(f"machine: {platform.platform()}, python {platform.python_version()}, "
          f"{os.cpu_count()} CPU cores, tensorflow {tf.__version__}")
    print(f"data: {photos} ({len(source.files().splits['train']['content'])} JPEGs), "
          f"random {args.size}x{args.size} crop + flip, batch {args.batch}, "
          f"{args.epochs} timed epochs")
    results = {}
    for name, budget in (("files", "0"), ("cached", None)):
        if budget is None:
            os.environ.pop("CGTK_DATA_CACHE_MB", None)
        else:
            os.environ["CGTK_DATA_CACHE_MB"] = budget
        rate, count, setup = measure(source, config, args.epochs)
        results[name] = rate
        print(f"{name:>7}: {rate:8.1f} images/s ({count} images; setup {setup:.1f} s)")
    print(f"decode+augment at {args.size}^2: {results['files']:.1f} images/s from files, "
          f"{results['cached']:.1f} images/s cached")


if __name__ == "__main__":
    main()
