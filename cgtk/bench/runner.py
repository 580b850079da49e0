"""Timing for ``cgtk bench``: build a plugin as ``cgtk train`` does (the same
:func:`cgtk.engine.builder.build_model`), feed it one in-memory synthetic batch, warm up,
then time.

* A **case** is anything with ``run(n) -> handle`` (n steps, no host sync in between)
  and ``wait(handle)`` (block until the device finished). :class:`TrainCase` runs the
  engine's compiled step (the real ``Stepper``); :class:`InferCase` the default inference
  network's forward pass.
* :func:`time_interleaved` warms every case up (the first step compiles), then times
  ``repeats`` rounds of ``steps`` steps, rotating the order of the cases each round, so
  cases compared in one process see the same machine noise. Figures are **medians over
  repeats** of the mean time per step within a repeat.

Only one device is used (``--strategy one``): the bench measures per-device speed.

>>> # doctest: +SKIP
>>> report = bench(BenchRequest(plugin="cyclegan", image_size=128, batch_size=1, steps=3))
>>> report["ms_per_step"], report["images_per_s"], report["flops"]["train_per_image"]
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import dataclass

from cgtk.bench import flops as flops_mod
from cgtk.bench import machine
from cgtk.bench.synthetic import images_per_batch, synthetic_batch
from cgtk.errors import CgtkError

DEFAULT_STEPS_PER_EPOCH = 1000  # only shapes the learning-rate schedule; irrelevant here


from cgtk.bench.request import BenchRequest  # noqa: E402,F401 - re-exported

#: Precisions the inference path runs, per device. float16 on a CPU has no fast kernels
#: (oneDNN computes in float32 with conversions) and is refused.
INFER_PRECISIONS = {"cpu": ("float32", "mixed_bfloat16"),
                    "gpu": ("float32", "mixed_bfloat16", "mixed_float16"),
                    "tpu": ("float32", "mixed_bfloat16")}


def check_infer_precision(precision: str, device: str) -> None:
    """One-line error for a ``--precision`` the inference path does not support."""
    allowed = INFER_PRECISIONS.get(device, INFER_PRECISIONS["cpu"])
    if precision not in allowed:
        raise CgtkError(f"--precision {precision}: not supported for inference on {device}",
                        hint=f"choose one of: {', '.join(allowed)}")


def set_threads(threads: int | None, backend: str) -> str | None:
    """Intra- and inter-op threads of TensorFlow (before its first op); JAX: ignored.

    Returns a warning when TensorFlow already runs (in-process reuse), else None."""
    if threads is not None and threads < 1:
        raise CgtkError(f"--threads {threads} must be at least 1")
    if not threads or backend != "tensorflow":
        return None
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(threads))
    except RuntimeError:
        kept = tf.config.threading.get_intra_op_parallelism_threads() or "all"
        return (f"--threads {threads}: TensorFlow was already initialised in this process; "
                f"its thread pools keep {kept} intra-op threads")
    return None


# ------------------------------------------------------------------ setup ---

def select_backend(name: str | None) -> str:
    from cgtk.backend_env import select_backend as select

    select(name)
    return os.environ["KERAS_BACKEND"]


def resolve(plugin: str, *, backend: str, sets=(), **values):
    """``(PluginInfo, Config)`` with flag ``values`` (None = the plugin's default)."""
    from cgtk import registry
    from cgtk.config import resolve_config

    info = registry.get(plugin)
    flags = {k: v for k, v in values.items() if v is not None}
    flags["backend"] = backend
    flags.setdefault("strategy", "one")
    config = resolve_config(info.cls.Config, sets=list(sets), values=flags)
    return info, config


def make_batch(cls, config, *, seed: int = 0):
    scale = getattr(config, "scale", None)
    return synthetic_batch(cls.data_kind, config.batch_size, config.image_size, scale=scale,
                           seed=seed)


def to_device(batch):
    import keras

    if isinstance(batch, (tuple, list)):
        return tuple(keras.ops.convert_to_tensor(x) for x in batch)
    return keras.ops.convert_to_tensor(batch)


@dataclass
class Built:
    model: object
    config: object
    batch: object
    extras: dict
    dist: object
    jit: bool
    stepper: object = None


def build_model(cls, config, *, jit: bool | None = None, train: bool = True) -> Built:
    """The model as ``cgtk train`` builds it (:func:`cgtk.engine.builder.build_model`), on
    one device and a synthetic batch.

    The global dtype policy is restored afterwards, so several models with different
    precisions can live in one process (each layer keeps its own policy)."""
    from cgtk.engine.builder import build_model as build
    from cgtk.engine.builder import setup_distribution

    batch, extras = make_batch(cls, config)
    built = build(cls, config, distribution=setup_distribution("one"), extras=extras,
                  steps_per_epoch=config.steps_per_epoch or DEFAULT_STEPS_PER_EPOCH,
                  jit=jit, train=train, keep_policy=False)
    return Built(built.model, config, batch, extras, built.distribution, built.jit,
                 built.stepper)


# ------------------------------------------------------------------ cases ---

def _wait_array(x) -> None:
    """Block until ``x`` is computed (JAX arrays are asynchronous; TF CPU/GPU reads sync)."""
    from cgtk.engine import backend

    backend.current().block_until_ready(x)


class TrainCase:
    """The engine's real compiled training step on one in-memory batch."""

    def __init__(self, built: Built):
        from cgtk.engine import backend

        self.built = built
        self.model = built.model
        self.batch = to_device(built.batch)
        self.images = images_per_batch(built.batch)
        self.stepper = built.stepper or backend.current().Stepper(
            built.model, built.dist.strategy, built.jit)

    def run(self, n: int):
        logs = None
        for _ in range(n):
            logs = self.stepper.step(self.batch)
        return logs

    def wait(self, logs) -> None:
        values = self.stepper.logs_to_numpy(logs)
        bad = [k for k, v in values.items() if v != v]  # NaN
        if bad:
            print(f"cgtk bench: warning: NaN in {', '.join(bad)}", file=sys.stderr)


def compiled_forward(network, jit: bool):
    """``fn(x) -> y``: the network's inference forward, compiled for the backend.

    The one backend-specific piece of the bench (inference has no engine Stepper), the
    backend module's ``compiled_forward``: ``tf.function(jit_compile=jit)`` on TensorFlow,
    ``jax.jit`` of ``stateless_call`` on JAX.
    """
    from cgtk.engine import backend

    return backend.current().compiled_forward(network, jit)


class InferCase:
    """The default inference network's forward pass on one in-memory batch."""

    def __init__(self, built: Built, *, input_size: int):
        from cgtk.bench.synthetic import random_images

        name, inference = next(iter(built.model.inference_networks().items()))
        self.name, self.inference = name, inference
        multiple = max(int(inference.multiple or 1), 1)
        self.input_size = -(-input_size // multiple) * multiple
        self.images = built.config.batch_size
        x = random_images(self.images, self.input_size, seed=3,
                          channels=int(inference.network.input_shape[-1] or 3))
        self.x = to_device(x)
        self.forward = compiled_forward(inference.network, built.jit)

    def run(self, n: int):
        out = None
        for _ in range(n):
            out = self.forward(self.x)
        return out

    def wait(self, out) -> None:
        _wait_array(out[0] if isinstance(out, (list, tuple)) else out)


def time_interleaved(cases: dict, *, steps: int, repeats: int, warmup: int) -> dict:
    """Warm up each case, then time ``repeats`` rounds, rotating the case order each round.

    Returns ``{name: {"first_step_s", "warmup_s", "ms_per_step" (median), "ms_min",
    "ms_max", "ms_all"}}``."""
    if steps < 1 or repeats < 1:
        raise CgtkError("--steps and --repeats must be at least 1")
    from cgtk.native_logs import filtered_first_step

    out = {}
    for name, case in cases.items():
        t0 = time.perf_counter()
        with filtered_first_step():  # the compiling step: Grappler's known chatter
            case.wait(case.run(1))
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        if warmup > 1:
            case.wait(case.run(warmup - 1))
        out[name] = {"first_step_s": first, "warmup_s": first + time.perf_counter() - t0,
                     "ms_all": []}
    names = list(cases)
    for r in range(repeats):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            case = cases[name]
            t0 = time.perf_counter()
            case.wait(case.run(steps))
            out[name]["ms_all"].append(1000.0 * (time.perf_counter() - t0) / steps)
    for stats in out.values():
        ms = stats["ms_all"]
        stats.update(ms_per_step=statistics.median(ms), ms_min=min(ms), ms_max=max(ms))
    return out


# ------------------------------------------------------------------- bench ---

def _round(x, digits=4):
    return None if x is None else float(f"{x:.{digits}g}")


def bench(request: BenchRequest, *, command: str | None = None) -> dict:
    """Run ``cgtk bench`` and return every figure (see ``docs``/``benchmarks/README.md``)."""
    backend = select_backend(request.backend)
    info, config = resolve(request.plugin, backend=backend, sets=request.sets,
                           image_size=request.image_size, batch_size=request.batch_size,
                           precision=request.precision, jit=request.jit)
    cls = info.cls
    if request.compare and not request.infer:
        raise CgtkError("--compare needs --infer (it compares the inference network)")
    thread_note = set_threads(request.threads, backend)
    built = build_model(cls, config, jit=request.jit, train=not request.infer)
    warnings: list[str] = [thread_note] if thread_note else []
    if request.infer:
        check_infer_precision(config.precision, built.dist.platform)
    from cgtk.cpu_features import warn_bf16_once

    warn_bf16_once(config.precision, warnings.append,
                   what="inference" if request.infer else "training",
                   device=built.dist.platform)
    name, inference = next(iter(built.model.inference_networks().items()))
    scale = max(int(inference.scale or 1), 1)
    report = {
        "plugin": info.name, "mode": "infer" if request.infer else "train",
        "data_kind": cls.data_kind, "image_size": config.image_size,
        "batch_size": config.batch_size, "steps": request.steps, "repeats": request.repeats,
        "warmup_steps": request.warmup, "backend": backend, "precision": config.precision,
        "jit": built.jit, "jit_source": "flag" if request.jit is not None or config.jit is not None
        else "default", "device": built.dist.platform,
    }
    flops: dict = {"transpose": request.transpose, "counted": "2 x MACs of conv/dense layers; "
                   "element-wise work (norms, activations, bias) reported separately"}
    if request.infer:
        case = InferCase(built, input_size=config.image_size // scale)
        report.update(inference_network=name, input_size=case.input_size,
                      output_size=case.input_size * scale)
    else:
        small = _first_images(built.batch, 1)
        trace = flops_mod.trace_step_calls(built.model, to_device(small))
        step = flops_mod.step_flops(built.model, trace, transpose=request.transpose)
        flops.update(train_per_image=step["train_flops"],
                     train_forward_per_image=step["forward_flops"],
                     train_backward_per_image=step["backward_flops"],
                     calls_per_step=step["calls"], calls_traced=trace.how,
                     per_network_forward={r["network"] + "@" + r["input"]: r["forward_flops"]
                                          for r in step["per_call"]})
        case = TrainCase(built)
        report["inference_network"] = name
    infer_size = config.image_size // scale
    multiple = max(int(inference.multiple or 1), 1)
    infer_size = -(-infer_size // multiple) * multiple
    fwd = flops_mod.network_flops(inference.network, (infer_size, infer_size, 3),
                                  transpose=request.transpose)
    flops.update(inference_per_image=fwd["flops"], inference_macs_per_image=fwd["macs"],
                 inference_elementwise_per_image=fwd["elementwise_flops"],
                 inference_input_size=infer_size, uncounted_layers=fwd["uncounted"])
    if request.transpose == "input":
        alt = flops_mod.network_flops(inference.network, (infer_size, infer_size, 3),
                                      transpose="output")
        flops["inference_macs_output_grid_convention"] = alt["macs"]
    cases = {"bench": case}
    if request.compare:
        from cgtk.bench.compare import torch_case

        threads = request.threads or machine.machine_info()["usable_cores"]
        cases["torch"] = torch_case(
            request.compare, info.name, config, input_size=case.input_size,
            batch_size=case.images, channels=int(inference.network.input_shape[-1] or 3),
            threads=threads, builder_spec=request.torch_builder)
    timings = time_interleaved(cases, steps=request.steps, repeats=request.repeats,
                               warmup=request.warmup)
    timing = timings["bench"]
    if request.compare:
        report["compare"] = compare_report(timings, cases["torch"], threads)
    ms = timing["ms_per_step"]
    images_per_s = case.images / (ms / 1000.0)
    per_image = flops["inference_per_image"] if request.infer else flops["train_per_image"]
    report.update(
        ms_per_step=_round(ms), ms_per_step_min=_round(timing["ms_min"]),
        ms_per_step_max=_round(timing["ms_max"]),
        ms_per_step_all=[_round(v) for v in timing["ms_all"]],
        images_per_s=_round(images_per_s), first_step_s=_round(timing["first_step_s"]),
        warmup_s=_round(timing["warmup_s"]),
        achieved_tflops=_round(per_image * images_per_s / 1e12),
        flops=flops, machine=machine.machine_info(_gpus()), versions=machine.versions(),
        date=machine.now(), command=command or " ".join(["cgtk", *sys.argv[1:]]),
    )
    memory = peak_memory()
    if memory is not None:
        report["peak_memory_bytes"] = memory
    report["warnings"] = warnings
    return report


def compare_report(timings: dict, torch_case, threads: int) -> dict:
    """PyTorch's figures beside cgtk's: medians, every round, and speedups (torch/cgtk)."""
    mine, theirs = timings["bench"], timings["torch"]
    rounds = [t / c for c, t in zip(mine["ms_all"], theirs["ms_all"], strict=True)]
    return {"runtime": getattr(torch_case, "label", "torch"), "threads": threads,
            "network": getattr(torch_case, "description", ""),
            "ms_per_step": _round(theirs["ms_per_step"]),
            "ms_per_step_all": [_round(v) for v in theirs["ms_all"]],
            "speedup": _round(theirs["ms_per_step"] / mine["ms_per_step"]),
            "speedup_round_median": _round(statistics.median(rounds)),
            "speedup_all": [_round(v) for v in rounds]}


def _first_images(batch, n):
    if isinstance(batch, (tuple, list)):
        return tuple(x[:n] for x in batch)
    return batch[:n]


def _gpus() -> list:
    try:
        return machine.backend_devices()
    except Exception:  # noqa: BLE001 - device details are informative only
        return []


def peak_memory() -> int | None:
    """Peak accelerator memory in bytes (JAX ``memory_stats``; TF ``get_memory_info``)."""
    from cgtk.engine import backend

    try:
        return backend.current().peak_memory()
    except Exception:  # noqa: BLE001 - informative only
        return None
