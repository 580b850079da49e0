"""The machine and software a benchmark ran on: CPU model, cores, RAM, GPUs, versions.

Reads ``/proc`` and package metadata only; it never imports TensorFlow or JAX itself
(GPU details come from the backend already in use, passed in by the caller).

>>> info = machine_info()
>>> sorted(info) == ["cores", "cpu", "cpu_flags", "gpus", "ram_gib", "usable_cores"]
True
"""
from __future__ import annotations

import os
import platform
import time
from importlib import metadata

INTERESTING_FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_tile",
                     "fma")


def _cpuinfo() -> tuple[str, list[str]]:
    model, flags = platform.processor() or platform.machine(), []
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model in ("", platform.machine(), platform.processor()):
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = value.split()
    except OSError:
        pass
    return model, flags


def _ram_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def machine_info(gpus: list | None = None) -> dict:
    """``{"cpu", "cores", "usable_cores", "ram_gib", "cpu_flags", "gpus"}``."""
    model, flags = _cpuinfo()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    return {"cpu": model, "cores": os.cpu_count(), "usable_cores": usable, "ram_gib": _ram_gib(),
            "cpu_flags": [f for f in INTERESTING_FLAGS if f in flags], "gpus": gpus or []}


def versions() -> dict:
    """Installed versions (package metadata; nothing is imported)."""
    out = {"python": platform.python_version()}
    for name in ("cgtk", "keras", "numpy", "tensorflow", "jax", "jaxlib"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def backend_devices() -> list[dict]:
    """Accelerators of the Keras backend in use (the backend module's ``accelerators``)."""
    from cgtk.engine import backend

    return backend.current().accelerators()


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
