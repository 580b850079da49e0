"""What ``cgtk bench`` is asked to measure (Keras-free: the backend is chosen after
reading it).

>>> BenchRequest(plugin="cyclegan", infer=True).steps
10
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class BenchRequest:
    plugin: str
    image_size: int | None = None
    batch_size: int | None = None
    steps: int = 10
    repeats: int = 5
    warmup: int = 2
    backend: str | None = None
    precision: str | None = None
    jit: bool | None = None
    sets: list[str] = field(default_factory=list)
    infer: bool = False
    transpose: str = "input"
    compare: str | None = None        # --compare torch | PATH.py (inference only)
    torch_builder: str | None = None  # --torch-builder FILE.py:FUNC
    threads: int | None = None        # intra-op threads (TF; torch with --compare)
