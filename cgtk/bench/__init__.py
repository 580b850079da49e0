"""``cgtk bench``: training/inference speed on synthetic data, analytic FLOPs, machine info.

Modules: :mod:`~cgtk.bench.flops` (FLOP counting), :mod:`~cgtk.bench.synthetic`
(in-memory batches), :mod:`~cgtk.bench.runner` (build, warm up, time),
:mod:`~cgtk.bench.machine` (CPU/GPU/versions). Importing this package imports no Keras.
"""
