"""Which numeric formats this CPU runs natively: the bfloat16 check behind the warnings of
``cgtk train/bench --precision mixed_bfloat16``.

bfloat16 matrix units on x86 are the ``avx512_bf16`` (Cooper Lake, Zen 4) and
``amx_bf16`` (Sapphire Rapids) flags of ``/proc/cpuinfo``. Without them oneDNN emulates
bf16 convolutions through float32 with conversions, which measured 2.5x *slower* than
float32 on an AVX2-only EPYC (issue 22). ARM CPUs report ``bf16`` (ARMv8.6 BF16).

Reads ``/proc/cpuinfo`` only (no TensorFlow, no JAX). Tests fake the CPU by replacing
:func:`cpu_flags`.

>>> bf16_emulation_warning("float32") is None
True
>>> msg = bf16_emulation_warning("mixed_bfloat16", flags={"avx2", "fma"})
>>> msg.startswith("mixed_bfloat16: this CPU has no bfloat16 units")
True
"""
from __future__ import annotations

import platform

BF16_FLAGS = ("avx512_bf16", "amx_bf16", "bf16")  # x86 AVX-512 / AMX, ARMv8.6


def cpu_flags(path: str = "/proc/cpuinfo") -> set[str] | None:
    """The first CPU's feature flags (x86 ``flags``, ARM ``Features``); None if unknown."""
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip().lower() in ("flags", "features"):
                    return set(value.split())
    except OSError:
        pass
    return None


def cpu_model(path: str = "/proc/cpuinfo") -> str:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def has_bf16(flags: set[str] | None = None) -> bool | None:
    """True/False when the flags are known; None when the CPU cannot be read."""
    flags = cpu_flags() if flags is None else flags
    if flags is None:
        return None
    return any(f in flags for f in BF16_FLAGS)


def bf16_emulation_warning(precision: str | None, *, what: str = "",
                           flags: set[str] | None = None) -> str | None:
    """The one-line warning for a bf16 ``precision`` on a CPU without bf16 units, else None.

    Unknown CPUs (no ``/proc/cpuinfo``) get no warning: the check is for the case it can
    prove. ``what`` names the use (``"inference"``, ``"training"``)."""
    if not precision or "bfloat16" not in precision:
        return None
    if has_bf16(flags) is not False:
        return None
    use = f" for {what}" if what else ""
    return (f"{precision}: this CPU has no bfloat16 units (no avx512_bf16/amx_bf16 flag), so "
            f"bfloat16{use} is emulated and slow; float32 is faster here")


_warned: set[str] = set()


def warn_bf16_once(precision: str | None, emit, *, what: str = "", device: str = "cpu") -> bool:
    """Call ``emit(message)`` once per process and use for a bf16 request on a CPU without
    bf16 units (``device`` other than ``"cpu"``: no warning). Returns whether it warned."""
    if device != "cpu":
        return False
    message = bf16_emulation_warning(precision, what=what)
    if message is None or message in _warned:
        return False
    _warned.add(message)
    emit(message)
    return True
