"""Training callbacks: progress, metrics.csv, TensorBoard, sample grids, losses.png.

The trainer drives a list of :class:`Callback` objects (see :mod:`cgtk.callbacks.base`
for the hooks and the row format). Importing this package is cheap: TensorFlow is
imported when TensorBoard starts, matplotlib when the first plot is drawn.

>>> import types
>>> [type(cb).__name__ for cb in default_callbacks(types.SimpleNamespace())]
['Progress', 'MetricsCSV', 'Samples', 'TensorBoard', 'LossPlot', 'LiveReport']
"""
from cgtk.callbacks.base import Callback, Interval, summarize
from cgtk.callbacks.loss_plot import LossPlot, plot_losses
from cgtk.callbacks.metrics_csv import MetricsCSV, read_metrics
from cgtk.callbacks.progress import Progress
from cgtk.callbacks.samples import Samples, render_grid, sample_grid, write_grid
from cgtk.callbacks.tensorboard import TensorBoard

__all__ = [
    "Callback", "Interval", "summarize",
    "Progress", "MetricsCSV", "Samples", "TensorBoard", "LossPlot",
    "default_callbacks", "render_grid", "write_grid", "sample_grid", "plot_losses",
    "read_metrics",
]


def default_callbacks(trainer=None, *, progress: bool = True, tensorboard: bool = True,
                      samples: bool = True, report: bool = True) -> list:
    """The standard callbacks, in dispatch order.

    Progress first (its epoch line appears before slower work); MetricsCSV before
    LossPlot (the plot reads the CSV); Samples before TensorBoard (TensorBoard reuses
    the cached grid). Paths come from ``trainer.run`` when training begins, so the
    trainer may call ``MetricsCSV.truncate_after(step)`` before or after that.
    """
    callbacks: list = []
    if progress:
        callbacks.append(Progress())
    callbacks.append(MetricsCSV())
    if samples:
        callbacks.append(Samples())
    if tensorboard:
        callbacks.append(TensorBoard(images=samples))
    callbacks.append(LossPlot())
    if report:  # last: the page shows this epoch's grid and losses (cgtk.report)
        from cgtk.report.callback import LiveReport

        callbacks.append(LiveReport())
    return callbacks
