"""``cgtk bench``: training (or inference) speed of a plugin on synthetic in-memory data,
with analytic FLOPs and the achieved TFLOP/s (see ``benchmarks/README.md``).

>>> BenchRequest(plugin="cyclegan").steps
10
"""
from __future__ import annotations

from dataclasses import dataclass

from cgtk.app.feedback import Feedback
from cgtk.bench.request import BenchRequest  # noqa: F401 - the request of this use case
from cgtk.errors import CgtkError

__all__ = ["BenchRequest", "BenchResult", "bench"]


@dataclass
class BenchResult:
    """``report``: every figure (``ms_per_step``, ``images_per_s``, ``flops``, ...; the
    keys of ``cgtk bench --json``); ``warnings``: what the user should know."""

    report: dict

    @property
    def warnings(self) -> list[str]:
        return list(self.report.get("warnings", []))


def bench(request: BenchRequest, feedback: Feedback | None = None) -> BenchResult:
    from cgtk.backend_env import select_backend

    feedback = feedback or Feedback()
    select_backend(request.backend)  # before anything imports Keras
    if request.transpose not in ("input", "output"):
        raise CgtkError(f"--flops-transpose {request.transpose}: choose input or output")
    from cgtk.bench.runner import bench as run_bench

    feedback.info("preparing (importing the backend, building the networks)...")
    return BenchResult(run_bench(request))
