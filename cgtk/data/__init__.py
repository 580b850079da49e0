"""Data for every plugin: the four data kinds, ``--data`` resolution, tf.data pipelines.

The training engine calls::

    from cgtk.data import (resolve_source, load_train_data, load_eval_data,
                           sample_inputs, DataSource, TrainData, EvalData)

    resolve_source(data: str | None, kind: str, default_data: str | None = None) -> DataSource
        data None -> default_data; "demo" -> procedural demo data; a known dataset name
        -> its folder under $CGTK_HOME/datasets (fetched on first use; offline -> CgtkError
        naming the URL and the folder); an existing folder -> its layout for ``kind``
        (no match -> CgtkError showing the expected layout).

    DataSource: kind, origin ("demo" | "known" | "path"), name, root (Path | None),
        layout (str), hints (dict, e.g. {"direction": "BtoA"} for facades);
        .describe() -> JSON-serialisable dict; DataSource.from_description(d) rebuilds it.

    load_train_data(source, config, split="train") -> TrainData
        Reads config.batch_size, image_size, load_size, flip, seed, epoch_length,
        max_bad_fraction, and (with defaults) direction ("AtoB"), scale (4),
        style_image (None), channels (3).

    TrainData: kind, num_examples, skipped [(path, reason)], extras
        ({"style_image": float32 [H, W, 3]} for style, else {}),
        steps_per_epoch(batch_size) -> max(1, num_examples // batch_size),
        dataset(epoch, skip_batches=0, batch_size=None) -> tf.data.Dataset of batches
        (drop_remainder): unpaired (a, b); paired (a, b) = (input, target) after
        ``direction``; single (lr, hr); style content. float32 [-1, 1], [B, H, W, C].
        A pure function of (config.seed or 0, epoch, position): dataset(e, skip_batches=k)
        equals batches k, k+1, ... of dataset(e).

    load_eval_data(source, config, split="test") -> EvalData
        Whole images, test -> val -> train fallback (EvalData.split says which).
        paired: iter -> (a, b, name); single: (lr, hr, name), hr cropped to a multiple of
        scale; style: (content, name); unpaired: .domain("A") / .domain("B") ->
        [(image, name)].

    sample_inputs(source, config, n) -> numpy arrays shaped like a training batch of n
        held-out examples (centre crops at image_size), from test (else val, else train).

Layouts per kind (see :data:`cgtk.data.kinds.EXPECTED_LAYOUT`):

* unpaired: ``ROOT/trainA``, ``trainB`` (+ ``testA``, ``testB``).
* paired: ``ROOT/train|val|test/*.jpg`` with A|B side by side, or
  ``ROOT/SPLIT/A/`` + ``ROOT/SPLIT/B/`` with matching names.
* single: HR images directly in ``ROOT`` (all "train") or in ``ROOT/train|val|test``;
  optional ``LR/`` folder beside them with the same names.
* style: content images in ``ROOT``, ``ROOT/content/`` or ``ROOT/train|test``; the style
  image from ``style_image`` or ``ROOT/style.jpg``.

Example:

>>> from cgtk.config import TrainConfig
>>> src = resolve_source("demo", "paired")
>>> data = load_train_data(src, TrainConfig(batch_size=2, image_size=32, seed=0))
>>> [x.shape.as_list() for x in next(iter(data.dataset(epoch=0)))]
[[2, 32, 32, 3], [2, 32, 32, 3]]

Only :mod:`cgtk.data.source`, :mod:`~cgtk.data.known` and the download modules load
without TensorFlow; the pipeline names import it on first access.
"""
from __future__ import annotations

import importlib

from cgtk.data.kinds import EXPECTED_LAYOUT, KINDS
from cgtk.data.source import DataSource, resolve_source

_LAZY = {
    "load_train_data": "cgtk.data.pipeline",
    "load_eval_data": "cgtk.data.pipeline",
    "sample_inputs": "cgtk.data.pipeline",
    "TrainData": "cgtk.data.pipeline",
    "EvalData": "cgtk.data.pipeline",
}

__all__ = ["DataSource", "EXPECTED_LAYOUT", "KINDS", "resolve_source", *_LAZY]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'cgtk.data' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
