"""``cgtk eval``: metrics of a run (or a bare ``.keras`` network) on held-out data, with
the protocol named next to each number; a run keeps its results in ``eval.json``.

>>> EvalRequest(source="runs/x").split
'test'
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cgtk.app.feedback import Feedback
from cgtk.errors import CgtkError

__all__ = ["EvalRequest", "EvalResult", "KINDS", "evaluate"]

KINDS = ("unpaired", "paired", "single", "style")


@dataclass
class EvalRequest:
    """See ``cgtk eval --help`` for each field (``kind``: for a bare ``.keras`` model)."""

    source: Path
    data: str | None = None
    split: str = "test"
    direction: str | None = None
    kind: str | None = None
    limit: int | None = None
    tile: int | None = None
    overlap: int = 32
    inception: str = "auto"
    inception_weights: str = "imagenet"
    inception_size: int = 299
    backend: str | None = None

    def __post_init__(self):
        self.source = Path(self.source)


@dataclass
class EvalResult:
    """``report``: plugin, data, kind, split, ``results`` (one per network: metrics,
    protocol, resize, n) and ``skipped`` files; ``kept_in``: the run's eval.json."""

    report: dict
    kept_in: Path | None = None


def evaluate(request: EvalRequest, feedback: Feedback | None = None) -> EvalResult:
    from cgtk.backend_env import select_backend

    feedback = feedback or Feedback()
    select_backend(request.backend)
    if request.kind is not None and request.kind not in KINDS:
        raise CgtkError(f"--kind {request.kind}: choose unpaired, paired, single or style")
    from cgtk.evaluation import evaluate as run_eval
    from cgtk.inference import open_source

    src = open_source(request.source)

    def extractor():
        import warnings

        from cgtk.metrics import InceptionFeatures

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return InceptionFeatures(request.inception, weights=request.inception_weights,
                                     image_size=request.inception_size)

    with feedback.progress("eval") as bar:  # each network adds its images
        report = run_eval(src, data=request.data, split=request.split,
                          direction=request.direction, kind=request.kind,
                          extractor_factory=extractor, tile=request.tile,
                          overlap=request.overlap, limit=request.limit, progress=bar)
    for note in src.notes:
        feedback.warn(note)
    kept = None
    from cgtk.report.records import is_run_dir, record_eval

    if is_run_dir(request.source):  # for 'cgtk report'
        try:
            record_eval(request.source, report, direction=request.direction,
                        limit=request.limit)
            kept = request.source / "eval.json"
        except OSError as err:
            feedback.warn(f"the results could not be kept in {request.source}/eval.json: {err}")
    return EvalResult(report, kept)
