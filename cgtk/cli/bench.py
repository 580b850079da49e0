"""``cgtk bench PLUGIN``: training (or ``--infer``: inference) speed on synthetic in-memory
data, with analytic FLOPs and the achieved TFLOP/s. See ``benchmarks/README.md``."""
from __future__ import annotations

import typer

from cgtk.cli import console


def bench(
    plugin: str = typer.Argument(..., help="Plugin name (see 'cgtk plugins list')."),
    image_size: int = typer.Option(None, help="Training crop size (default: the plugin's). "
                                   "With --infer the network input is image_size / scale."),
    batch_size: int = typer.Option(None, help="Batch size (default: the plugin's)."),
    steps: int = typer.Option(10, help="Timed steps per repeat."),
    repeats: int = typer.Option(5, help="Timed repeats; figures are the median over them."),
    warmup: int = typer.Option(2, help="Untimed steps first (the first one compiles)."),
    backend: str = typer.Option(None, help="Keras backend: tensorflow (default) or jax."),
    precision: str = typer.Option(None, help="float32 | mixed_bfloat16 | mixed_float16."),
    jit: bool = typer.Option(None, "--jit/--no-jit", help="XLA (default: as 'cgtk train')."),
    set_: list[str] = typer.Option(None, "--set", help="Override a config key: KEY=VALUE."),
    infer: bool = typer.Option(False, "--infer", help="Benchmark the default inference "
                               "network (forward only) instead of a training step."),
    flops_transpose: str = typer.Option("input", help="Transposed-conv FLOP convention: "
                                        "input (useful MACs) or output (zero-inserted grid)."),
    compare: str = typer.Option(None, "--compare", help="With --infer: also time a "
                                "PyTorch eager re-statement, interleaved: 'torch' (the "
                                "checkout's benchmarks/bench_infer_vs_torch.py) or a script."),
    torch_builder: str = typer.Option(None, "--torch-builder", help="With --compare: "
                                      "FILE.py:FUNC, FUNC(config) -> torch.nn.Module, for "
                                      "your own plugin."),
    threads: int = typer.Option(None, "--threads", help="Intra/inter-op threads "
                                "(TensorFlow, and torch with --compare; default: all cores)."),
    json_: bool = typer.Option(False, "--json", help="Print every figure as JSON."),
):
    """Measure ms/step, images/s and TFLOP/s of a plugin on synthetic data (no input pipeline)."""
    from cgtk.app.bench import BenchRequest
    from cgtk.app.bench import bench as run_bench

    request = BenchRequest(plugin=plugin, image_size=image_size, batch_size=batch_size,
                           steps=steps, repeats=repeats, warmup=warmup, backend=backend,
                           precision=precision, jit=jit, sets=list(set_ or []), infer=infer,
                           transpose=flops_transpose, compare=compare,
                           torch_builder=torch_builder, threads=threads)
    result = run_bench(request, None if json_ else console.feedback())
    for warning in result.warnings:
        console.warn(warning)
    if json_:
        console.print_json(result.report)
        return
    _print(result.report)


def _fmt_flops(x) -> str:
    for unit, div in (("TFLOP", 1e12), ("GFLOP", 1e9), ("MFLOP", 1e6)):
        if x >= div:
            return f"{x / div:.3g} {unit}"
    return f"{x:.3g} FLOP"


def _print(r: dict) -> None:
    out = console.out
    f = r["flops"]
    what = (f"inference ({r['inference_network']}, input {r['input_size']}px)"
            if r["mode"] == "infer" else f"training step ({r['image_size']}px)")
    out.print(f"{r['plugin']}: {what}, batch {r['batch_size']}, {r['backend']}, "
              f"{r['precision']}, jit={'on' if r['jit'] else 'off'}, {r['device']}")
    out.print(f"  {r['ms_per_step']:.1f} ms/step (median of {r['repeats']} x {r['steps']} "
              f"steps; min {r['ms_per_step_min']:.1f}, max {r['ms_per_step_max']:.1f}), "
              f"{r['images_per_s']:.3g} images/s; first step {r['first_step_s']:.1f} s")
    if r["mode"] == "train":
        out.print(f"  FLOPs per image: training {_fmt_flops(f['train_per_image'])}, "
                  f"inference {_fmt_flops(f['inference_per_image'])} "
                  f"({f['inference_input_size']}px)")
        calls = "; ".join(f"{p}: " + ", ".join(f"{n} x{c}" for n, c in nets.items())
                          for p, nets in f["calls_per_step"].items())
        out.print(f"  network calls per step: {calls}")
    else:
        out.print(f"  FLOPs per image: {_fmt_flops(f['inference_per_image'])}")
    out.print(f"  achieved {r['achieved_tflops']:.3g} TFLOP/s (2 x MACs of conv/dense layers)")
    c = r.get("compare")
    if c:
        rounds = ", ".join(f"{v:.2f}" for v in c["speedup_all"])
        out.print(f"  {c['runtime']} ({c['network']}, {c['threads']} threads): "
                  f"{c['ms_per_step']:.1f} ms/step; cgtk is x{c['speedup']:.2f} its speed "
                  f"(rounds: {rounds})")
    if r.get("peak_memory_bytes"):
        out.print(f"  peak device memory {r['peak_memory_bytes'] / 2**30:.2f} GiB")
