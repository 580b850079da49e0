"""``losses.png``: every loss term over steps, drawn from ``metrics.csv`` (so a resumed
run shows its whole history), redrawn at each epoch end and at train end (when the
CSV changed since the last draw).

Layout: small multiples, one panel per term with its own y-axis (GAN terms differ by
orders of magnitude and can be negative, so neither one shared axis nor log-y reads
well), raw interval means as a thin line with a bold smoothed line on top, dotted
lines at epoch boundaries, and a last panel with the learning rate of each phase.
matplotlib is imported lazily and used without pyplot (no global state; Agg canvas).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "m.csv").write_text("step,epoch,time,G\\n1,1,0,1.0\\n2,1,1,0.5\\n")
>>> plot_losses(d / "m.csv", d / "losses.png")
True
>>> (d / "losses.png").read_bytes()[:4] == b"\\x89PNG"
True
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from cgtk.callbacks.base import Callback
from cgtk.callbacks.metrics_csv import BASE_COLUMNS, read_metrics
from cgtk.runs.writes import writing

__all__ = ["LossPlot", "plot_losses", "phase_groups", "distinct_panels"]

MAX_EPOCH_LINES = 40


def _float(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def smooth(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard-style debiased exponential moving average, skipping NaNs."""
    out = np.full_like(values, np.nan)
    acc, norm = 0.0, 0.0
    for i, v in enumerate(values):
        if not math.isfinite(v):
            continue
        acc = weight * acc + (1 - weight) * v
        norm = weight * norm + (1 - weight)
        out[i] = acc / norm
    return out


def robust_limits(values: np.ndarray, smoothed: np.ndarray):
    """y-limits spanning the 1st-99th percentile of the raw values and the smoothed
    curve after its first 5% (where an early spike still dominates it), so one spike
    (typical of GAN losses) does not flatten the rest; None to let matplotlib decide."""
    raw = values[np.isfinite(values)]
    tail = smoothed[len(smoothed) // 20:]
    tail = tail[np.isfinite(tail)]
    if len(raw) < 10:
        return None
    lo, hi = np.percentile(raw, [1, 99])
    if len(tail):
        lo, hi = min(lo, tail.min()), max(hi, tail.max())
    pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
    return lo - pad, hi + pad


def phase_groups(terms: list[str]) -> list[tuple[str | None, list[str], str | None]]:
    """``[(phase, terms, total)]`` from the loss columns in CSV order: the trainer logs
    each phase's terms, then the phase total ``loss_<phase>``; terms after the last total
    form a group with no phase.

    >>> phase_groups(["G_GAN", "G_L1", "loss_generator", "D", "loss_discriminator"])
    [('generator', ['G_GAN', 'G_L1'], 'loss_generator'), ('discriminator', ['D'], 'loss_discriminator')]
    """
    groups, pending = [], []
    for name in terms:
        if name.startswith("loss_"):
            groups.append((name[len("loss_"):], pending, name))
            pending = []
        else:
            pending.append(name)
    if pending:
        groups.append((None, pending, None))
    return groups


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=0, equal_nan=True))


def distinct_panels(terms: list[str], column: dict) -> list[tuple[str, str]]:
    """``[(column, title)]`` to plot: a phase with a single term has a total equal to
    that term, so the two are drawn once, titled ``D (= loss_discriminator)``."""
    panels = []
    for _phase, group, total in phase_groups(terms):
        if total is not None and len(group) == 1 and _same(column[group[0]], column[total]):
            panels.append((group[0], f"{group[0]} (= {total})"))
            continue
        panels.extend((name, name) for name in group + ([total] if total else []))
    return panels


def plot_losses(csv_path, png_path, *, title: str | None = None) -> bool:
    """Draw ``png_path`` from ``csv_path``; False (and nothing written) when the CSV has
    no rows or no loss columns yet."""
    header, rows = read_metrics(csv_path)
    terms = [k for k in header if k not in BASE_COLUMNS and not k.startswith("lr_")]
    lrs = [k for k in header if k.startswith("lr_")]
    if not rows or not terms:
        return False
    from matplotlib.figure import Figure

    steps = np.array([_float(r["step"]) for r in rows])
    order = np.argsort(steps, kind="stable")
    steps = steps[order]
    column = {k: np.array([_float(rows[i].get(k)) for i in order]) for k in header}
    epochs = column.get("epoch")
    boundaries = []
    if epochs is not None and len(epochs) > 1:
        change = np.nonzero(np.diff(epochs) > 0)[0]
        if 0 < len(change) <= MAX_EPOCH_LINES:
            boundaries = [(steps[i] + steps[i + 1]) / 2 for i in change]

    term_panels = distinct_panels(terms, column)
    titles = dict(term_panels)
    panels = [name for name, _ in term_panels] + (["lr"] if lrs else [])
    ncols = min(4, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig = Figure(figsize=(4.2 * ncols, 2.9 * nrows + 0.5), dpi=100, layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    # smoothing window ~ 1/30 of the run, so long runs stay readable
    weight = min(0.98, max(0.0, 1 - 30 / max(len(steps), 1)))
    for ax, name in zip(axes, panels, strict=False):  # axes may outnumber panels
        if name == "lr":
            for i, key in enumerate(lrs):     # dashes keep identical schedules visible
                ax.plot(steps, column[key], lw=1.8, label=key[3:],
                        ls=("-", "--", ":", "-.")[i % 4])
            ax.set_title("learning rate", fontsize=11, fontweight="bold")
            ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
            ax.set_ylim(bottom=0)
            ax.legend(fontsize=8, frameon=False)
        else:
            values = column[name]
            shown = values
            if len(steps) < 3:
                ax.plot(steps, values, "o-", color="C0", lw=1.8, ms=4)
            elif weight == 0:
                ax.plot(steps, values, color="C0", lw=1.6)
            else:
                smoothed = shown = smooth(values, weight)
                ax.plot(steps, values, color="C0", lw=0.8, alpha=0.3)
                ax.plot(steps, smoothed, color="C0", lw=1.8)
                limits = robust_limits(values, smoothed)
                if limits is not None:
                    ax.set_ylim(*limits)
            finite = shown[np.isfinite(shown)]       # the smoothed value when smoothing
            last = f"{finite[-1]:.4g}" if len(finite) else "nan"
            ax.set_title(f"{titles[name]}  (now {last})", fontsize=11, fontweight="bold")
        for x in boundaries:
            ax.axvline(x, color="0.6", lw=0.6, ls=":")
        ax.grid(True, alpha=0.25)
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    for ax in axes[max(0, len(panels) - ncols):len(panels)]:
        ax.set_xlabel("step", fontsize=9)
        ax.tick_params(labelbottom=True)
    suptitle = f"{title}  ·  step {int(steps[-1])}" if title else f"step {int(steps[-1])}"
    fig.suptitle(suptitle, fontsize=12)

    png_path = Path(png_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = png_path.with_name(png_path.name + ".tmp")
    with writing(png_path, cleanup=[tmp]):  # a full disk: one line, the old plot stays
        fig.savefig(tmp, format="png")
        os.replace(tmp, png_path)
    return True


class LossPlot(Callback):
    """Redraws ``trainer.run.losses_png`` from ``trainer.run.metrics_csv``. Put it after
    :class:`~cgtk.callbacks.MetricsCSV` so the epoch's last interval is in the file."""

    def __init__(self, csv_path=None, png_path=None):
        self.csv_path = Path(csv_path) if csv_path is not None else None
        self.png_path = Path(png_path) if png_path is not None else None
        self._drawn_from = None     # (size, mtime) of the CSV the plot was last drawn from

    def _draw(self, trainer):
        csv_path = self.csv_path or Path(trainer.run.metrics_csv)
        png_path = self.png_path or Path(trainer.run.losses_png)
        try:
            stat = csv_path.stat()
            version = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            version = None
        # a draw costs about a second (layout of the panels): at train end, right after
        # the last epoch's draw, the CSV is usually unchanged and so is the plot
        if version is not None and version == self._drawn_from and png_path.exists():
            return
        run_path = getattr(getattr(trainer, "run", None), "path", None)
        if plot_losses(csv_path, png_path, title=Path(run_path).name if run_path else None):
            self._drawn_from = version

    def on_epoch_end(self, trainer, epoch):
        self._draw(trainer)

    def on_train_end(self, trainer, status):
        self._draw(trainer)
