"""cgtk's inference networks beside PyTorch eager re-statements of them, interleaved in one
process, at the same thread count (batch 1 by default).

Cases (``--cases``): ``resnet256`` / ``resnet512`` (CycleGAN ResNet-9), ``unet256``
(pix2pix U-Net-256, batch norm), ``srresnet128`` (SRResNet x4, BasicSR's MSRResNet: cgtk
``srresnet --set arch=msrresnet``, 128 px LR input -> 512 px). The torch networks are the
re-statements of ``tests/reference/networks.py`` (junyanz ``ResnetGenerator`` /
``UnetGenerator``, BasicSR ``MSRResNet``), run under ``torch.inference_mode()``.

cgtk variants per case (``--variants``):

* ``fn``     ``tf.function`` of ``network(x, training=False)`` (``cgtk bench --infer``),
* ``eager``  the Keras functional call without ``tf.function`` (``cgtk infer`` before
  issue 22),
* ``sig``    what ``cgtk infer`` runs now (:class:`cgtk.inference.Predictor`): a
  ``tf.function`` traced once for ``[None, None, None, C]`` (every image size), or once
  per shape for a network that needs static sizes (MSRResNet's bilinear upsampling),
* ``jit``    ``tf.function(jit_compile=True)`` (XLA),
* ``bf16``   the network built under ``mixed_bfloat16``, ``tf.function``.

Every round times each variant and torch once (order rotated per round); the table has
medians, speedups ``torch ms / cgtk ms`` and every round. Also ``cgtk bench --infer
--compare torch`` runs :func:`make_torch_case` of this file (cgtk never imports torch).

    python benchmarks/bench_infer_vs_torch.py --rounds 3 --out /tmp/vs_torch.json
    python benchmarks/bench_infer_vs_torch.py --cases resnet256 --variants fn sig bf16
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "reference" / "networks.py"

#: case -> (plugin, image_size (SR: the HR size), --set overrides)
CASES = {
    "resnet256": ("cyclegan", 256, []),
    "resnet512": ("cyclegan", 512, ["load_size=none"]),
    "unet256": ("pix2pix", 256, []),
    "srresnet128": ("srresnet", 512, ["arch=msrresnet", "scale=4"]),
}
VARIANTS = ("fn", "eager", "sig", "jit", "bf16")


# ------------------------------------------------------------- torch side (lazy) ---

def reference_networks():
    """``tests/reference/networks.py``, imported by path (it imports torch)."""
    name = "cgtk_reference_networks"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REFERENCE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _cyclegan(config):
    if getattr(config, "upsample", "transpose") != "transpose":
        raise LookupError("cyclegan upsample=nearest has no torch re-statement")
    return reference_networks().ResnetGenerator(3, 3, ngf=config.ngf, norm=config.norm,
                                                n_blocks=config.n_blocks)


def _pix2pix(config):
    ref = reference_networks()
    if config.is_unet():
        return ref.UnetGenerator(3, 3, num_downs=config.generator_depth(), ngf=config.ngf,
                                 norm=config.norm, use_dropout=False)
    return ref.ResnetGenerator(3, 3, ngf=config.ngf, norm=config.norm,
                               n_blocks=config.generator_depth())


def _srresnet(config):
    if config.arch != "msrresnet":
        raise LookupError("srresnet arch=srresnet (the paper's, with BN and PReLU) has no "
                          "torch re-statement; add --set arch=msrresnet (BasicSR's MSRResNet)")
    return reference_networks().MSRResNet(3, 3, num_feat=config.n_feats,
                                          num_block=config.n_blocks, upscale=config.scale)


#: plugin -> builder(config) -> torch.nn.Module (NCHW, eval mode is set by the caller)
TORCH_BUILDERS = {"cyclegan": _cyclegan, "pix2pix": _pix2pix, "srresnet": _srresnet,
                  "srgan": _srresnet}


class TorchCase:
    """A torch network's forward under ``inference_mode`` (``run``/``wait`` as in
    :mod:`cgtk.bench.runner`)."""

    def __init__(self, net, *, input_size: int, batch_size: int, channels: int,
                 threads: int, description: str = ""):
        import torch

        torch.set_num_threads(int(threads))
        self.torch = torch
        self.net = net.eval()
        self.images = batch_size
        self.x = torch.rand(batch_size, channels, input_size, input_size,
                            generator=torch.Generator().manual_seed(3)) * 2 - 1
        self.label = f"torch {torch.__version__} eager"
        self.description = description or type(net).__name__
        self.parameters = sum(t.numel() for k, t in net.state_dict().items()
                              if not k.endswith("num_batches_tracked"))

    def run(self, n: int):
        out = None
        with self.torch.inference_mode():
            for _ in range(n):
                out = self.net(self.x)
        return out

    def wait(self, out) -> None:  # eager CPU: already computed
        return None


def make_torch_case(plugin: str, config, *, input_size: int, batch_size: int, channels: int,
                    threads: int, builder=None):
    """The entry point of ``cgtk bench --infer --compare torch``."""
    build = builder or TORCH_BUILDERS.get(plugin)
    if build is None:
        raise LookupError(f"no torch re-statement of plugin {plugin!r} (known: "
                          f"{', '.join(sorted(TORCH_BUILDERS))})")
    net = build(config)
    return TorchCase(net, input_size=input_size, batch_size=batch_size, channels=channels,
                     threads=threads)


# ---------------------------------------------------------------- cgtk side ---

class KerasCase:
    """cgtk's inference network called one way (see the module docstring)."""

    def __init__(self, network, x, how: str):
        import tensorflow as tf

        self.images = int(x.shape[0])
        self.x = tf.convert_to_tensor(x)
        call = lambda t: network(t, training=False)  # noqa: E731
        if how == "eager":
            self.fn = call
        elif how == "sig":  # exactly what cgtk infer runs
            from cgtk.inference import Predictor

            self.fn = Predictor(network)._forward.graph(int(x.shape[-1]))  # noqa: SLF001
        else:
            self.fn = tf.function(call, jit_compile=how == "jit", autograph=False)

    def run(self, n: int):
        out = None
        for _ in range(n):
            out = self.fn(self.x)
        return out

    def wait(self, out) -> None:
        out.numpy()


def build_cgtk(plugin: str, image_size: int, sets: list, precision: str, batch_size: int):
    from cgtk.bench import runner

    info, config = runner.resolve(plugin, backend="tensorflow", sets=sets,
                                  image_size=image_size, batch_size=batch_size,
                                  precision=precision)
    built = runner.build_model(info.cls, config, jit=False, train=False)
    _, inference = next(iter(built.model.inference_networks().items()))
    return config, inference


def run_case(name: str, args) -> dict:
    import numpy as np

    from cgtk.bench.runner import time_interleaved

    plugin, image_size, sets = CASES[name]
    sets = sets + list(args.set or [])
    config, inference = build_cgtk(plugin, image_size, sets, "float32", args.batch_size)
    scale = max(int(inference.scale or 1), 1)
    input_size = config.image_size // scale
    channels = int(inference.network.input_shape[-1] or 3)
    x = np.random.default_rng(3).uniform(-1, 1, (args.batch_size, input_size, input_size,
                                                 channels)).astype("float32")
    cases = {}
    for v in args.variants:
        if v == "bf16":
            _, inf16 = build_cgtk(plugin, image_size, sets, "mixed_bfloat16", args.batch_size)
            cases["cgtk_bf16"] = KerasCase(inf16.network, x, "fn")
        else:
            cases[f"cgtk_{v}"] = KerasCase(inference.network, x, v)
    torch_case = make_torch_case(plugin, config, input_size=input_size,
                                 batch_size=args.batch_size, channels=channels,
                                 threads=args.threads)
    cases["torch"] = torch_case
    timings = time_interleaved(cases, steps=args.steps, repeats=args.rounds,
                               warmup=args.warmup)
    torch_ms = timings["torch"]["ms_all"]
    rows = {}
    for key, t in timings.items():
        ratios = [tm / m for m, tm in zip(t["ms_all"], torch_ms, strict=True)]
        rows[key] = {"ms_median": round(t["ms_per_step"], 2),
                     "ms_all": [round(v, 2) for v in t["ms_all"]],
                     "speedup_vs_torch": round(timings["torch"]["ms_per_step"]
                                               / t["ms_per_step"], 3),
                     "speedup_round_median": round(statistics.median(ratios), 3),
                     "first_step_s": round(t["first_step_s"], 2)}
    return {"case": name, "plugin": plugin, "sets": sets, "input_size": input_size,
            "output_size": input_size * scale, "batch_size": args.batch_size,
            "keras_parameters": int(inference.network.count_params()),
            "torch_parameters_and_buffers": int(torch_case.parameters),
            "results": rows}


def markdown(report: dict) -> str:
    lines = ["| case | runtime | ms median | x torch (medians) | x torch (round median) | "
             "rounds ms |", "|---|---|---:|---:|---:|---|"]
    for c in report["cases"]:
        for key, r in c["results"].items():
            lines.append(f"| {c['case']} ({c['input_size']}->{c['output_size']}) | {key} | "
                         f"{r['ms_median']:.1f} | {r['speedup_vs_torch']:.2f} | "
                         f"{r['speedup_round_median']:.2f} | "
                         f"{', '.join(f'{v:.0f}' for v in r['ms_all'])} |")
    return "\n".join(lines)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    p.add_argument("--variants", nargs="+", choices=VARIANTS, default=["fn", "eager", "sig"])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=1, help="forward passes per round")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--threads", type=int, default=None,
                   help="TF intra/inter-op and torch threads (default: usable cores)")
    p.add_argument("--set", action="append", help="extra config override (tiny test nets)")
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from cgtk.backend_env import select_backend
    from cgtk.bench import machine
    from cgtk.bench.runner import set_threads

    select_backend("tensorflow")
    a.threads = a.threads or machine.machine_info()["usable_cores"]
    set_threads(a.threads, "tensorflow")
    report = {"machine": machine.machine_info(), "versions": machine.versions(),
              "torch": __import__("torch").__version__, "threads": a.threads,
              "date": machine.now(), "command": " ".join(["python", *sys.argv]),
              "load_average": os.getloadavg(), "cases": []}
    for name in a.cases:
        try:
            c = run_case(name, a)
        except Exception as err:  # noqa: BLE001 - one failing case must not lose the others
            print(f"note: {name} failed: {type(err).__name__}: {str(err)[:300]}", flush=True)
            report.setdefault("failed", {})[name] = f"{type(err).__name__}: {str(err)[:300]}"
            continue
        report["cases"].append(c)
        if a.out:
            a.out.write_text(json.dumps(report, indent=2))
        for key, r in c["results"].items():
            print(f"{name:12s} {key:10s} {r['ms_median']:9.1f} ms  x{r['speedup_vs_torch']:.2f} "
                  f"of torch (round median x{r['speedup_round_median']:.2f})  rounds "
                  f"{r['ms_all']}", flush=True)
    report["load_average_end"] = os.getloadavg()
    print(markdown(report))
    if a.out:
        a.out.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
