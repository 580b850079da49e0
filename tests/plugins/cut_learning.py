"""The learning run of tests/plugins/test_cut.py, importable in a subprocess (JAX).

Data: the 80 shared scene photos (Sun & Hays 2012) split by mean luminance: domain A is
the 24 brightest, domain B the 24 darkest ("bright -> dim", a stand-in for day -> night
on real photos); 16 of each train, 8 are held out (testA/testB).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

SETS = ["ngf=8", "ndf=8", "n_blocks=3", "nce_layers=0,4,8,10,12", "load_size=72",
        "log_every=10", "num_samples=2"]
STEPS = 100


def make_split(root: Path, photos: Path, n_train: int = 16, n_test: int = 8) -> Path:
    paths = sorted(photos.glob("*.jpg"))
    lum = [np.asarray(Image.open(p).convert("L").resize((64, 64)), np.float32).mean()
           for p in paths]
    order = np.argsort(lum, kind="stable")
    dim = [paths[i] for i in order[:n_train + n_test]]
    bright = [paths[i] for i in order[::-1][:n_train + n_test]]
    for split, files in (("trainA", bright[:n_train]), ("trainB", dim[:n_train]),
                         ("testA", bright[n_train:]), ("testB", dim[n_train:])):
        (root / split).mkdir(parents=True)
        for f in files:
            os.symlink(f, root / split / f.name)
    return root


def luminance(x):
    """[-1, 1] NHWC RGB -> [0, 1] NHW luma (BT.601)."""
    y = (np.asarray(x, np.float32) + 1) / 2
    return 0.299 * y[..., 0] + 0.587 * y[..., 1] + 0.114 * y[..., 2]


def edges(x):
    """Sobel gradient magnitude of the luma, per image."""
    return np.stack([np.hypot(ndimage.sobel(im, 0), ndimage.sobel(im, 1))
                     for im in luminance(x)])


def ssim(a, b, sigma: float = 1.5, value_range: float = 4.0):
    """Mean SSIM (Gaussian window) per image pair, numpy only."""
    c1, c2 = (0.01 * value_range) ** 2, (0.03 * value_range) ** 2
    out = []
    for x, y in zip(a, b):
        f = lambda z: ndimage.gaussian_filter(z, sigma)  # noqa: E731
        mx, my = f(x), f(y)
        vx, vy, cxy = f(x * x) - mx ** 2, f(y * y) - my ** 2, f(x * y) - mx * my
        out.append(np.mean(((2 * mx * my + c1) * (2 * cxy + c2))
                           / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))))
    return np.array(out)


class _Rows:
    """A callback that keeps the logged rows."""

    def __init__(self):
        self.rows = []

    def on_train_begin(self, trainer):
        pass

    def on_step(self, trainer):
        pass

    def on_logs(self, trainer, rows):
        self.rows.extend(rows)

    def on_epoch_end(self, trainer, epoch):
        pass

    def on_train_end(self, trainer, status):
        pass


def learn(workdir: Path, photos: Path, backend: str) -> dict:
    """Train CUT for STEPS steps at 64 px (batch 1) and measure the held-out criteria."""
    import keras

    from cgtk.data import sample_inputs
    from cgtk.engine.builder import TrainRequest, build, resolve

    data = make_split(Path(workdir) / "data", Path(photos))
    request = TrainRequest(plugin="cut", data=str(data), run_dir=Path(workdir) / "run",
                           sets=list(SETS),
                           flags={"epochs": 1, "steps_per_epoch": STEPS, "batch_size": 1,
                                  "image_size": 64, "seed": 0, "backend": backend})
    start = time.time()
    rows = _Rows()
    trainer = build(resolve(request), callbacks=[rows])
    try:
        trainer.fit()
    finally:
        trainer.run.unlock()
    trainer.stepper.sync()
    seconds = time.time() - start
    model = trainer.model
    a, b = sample_inputs(trainer.source, model.config, 8)
    fake = np.asarray(keras.ops.convert_to_numpy(model.G(a, training=False)))
    other = np.roll(b, 3, axis=0)  # a dim photo that is not the source
    return {
        "backend": keras.backend.backend(), "seconds": seconds,
        "nce_first": float(rows.rows[0]["NCE"]),
        "nce_last": float(np.mean([r["NCE"] for r in rows.rows[-2:]])),
        "d_last": float(np.mean([r["D"] for r in rows.rows[-2:]])),
        "ssim_source": float(ssim(edges(fake), edges(a)).mean()),
        "ssim_other": float(ssim(edges(fake), edges(other)).mean()),
        "lum_a": float(luminance(a).mean()), "lum_b": float(luminance(b).mean()),
        "lum_fake": float(luminance(fake).mean()),
    }


if __name__ == "__main__":
    import sys

    print("RESULT=" + json.dumps(learn(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])))
