"""One generator exported with ``cgtk export`` (:func:`cgtk.export.export_with_parity`, the
code behind the command) and timed in each deploy runtime beside Keras, interleaved:

* ``keras``        the Keras model through a ``tf.function`` (what ``cgtk infer`` runs),
* ``saved_model``  ``tf.saved_model.load`` + its ``serving_default`` signature,
* ``onnx``         onnxruntime, CPUExecutionProvider (``intra_op_num_threads``),
* ``litert``       the LiteRT interpreter with XNNPACK (``num_threads``), resized once.

Every runtime gets ``--threads`` threads. Prints images/s per runtime (median and every
round) and the parity figure export prints (max |artifact - Keras| on random inputs and a
photo-like scene). Default: the CycleGAN ResNet-9 at 256 px, batch 1, float32.

    python benchmarks/bench_deploy_runtimes.py --rounds 3 --out /tmp/deploy.json
    python benchmarks/bench_deploy_runtimes.py --set ngf=4 --set n_blocks=1 --size 32
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

RUNTIMES = ("keras", "saved_model", "onnx", "litert")


class Timed:
    """``run(n)``/``wait(h)`` around a callable on one fixed input (cgtk.bench.runner)."""

    def __init__(self, fn, x):
        self.fn, self.x, self.images = fn, x, int(x.shape[0])

    def run(self, n):
        out = None
        for _ in range(n):
            out = self.fn(self.x)
        return out

    def wait(self, out):
        import numpy as np

        np.asarray(out)


def open_runtime(fmt: str, path: Path, network, x, threads: int):
    import numpy as np

    if fmt == "keras":
        import tensorflow as tf

        spec = tf.TensorSpec([None, None, None, x.shape[-1]], tf.float32)
        fn = tf.function(lambda t: network(t, training=False), input_signature=[spec],
                         autograph=False)
        return lambda a: fn(a).numpy()
    if fmt == "saved_model":
        import tensorflow as tf

        from cgtk.export import INPUT_NAME, OUTPUT_NAME

        sig = tf.saved_model.load(str(path)).signatures["serving_default"]
        return lambda a: sig(**{INPUT_NAME: tf.constant(a)})[OUTPUT_NAME].numpy()
    if fmt == "onnx":
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        return lambda a: session.run(None, {name: a})[0]
    if fmt == "litert":
        import warnings

        import tensorflow as tf

        with warnings.catch_warnings():  # "tf.lite.Interpreter is deprecated"
            warnings.simplefilter("ignore")
            it = tf.lite.Interpreter(model_path=str(path), num_threads=threads)
        inp = it.get_input_details()[0]
        it.resize_tensor_input(inp["index"], list(x.shape), strict=False)
        it.allocate_tensors()
        out_index = it.get_output_details()[0]["index"]

        def fn(a):
            it.set_tensor(inp["index"], np.ascontiguousarray(a, np.float32))
            it.invoke()
            return it.get_tensor(out_index)
        return fn
    raise ValueError(fmt)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plugin", default="cyclegan")
    p.add_argument("--set", action="append", default=[])
    p.add_argument("--size", type=int, default=256, help="input size (SR: LR size)")
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--runtimes", nargs="+", choices=RUNTIMES, default=list(RUNTIMES))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=1)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np

    from cgtk.bench import machine, runner
    from cgtk.export import SUFFIX, export_with_parity

    threads = a.threads or machine.machine_info()["usable_cores"]
    runner.set_threads(threads, "tensorflow")
    info, config = runner.resolve(a.plugin, backend="tensorflow", sets=a.set,
                                  batch_size=a.batch_size)
    built = runner.build_model(info.cls, config, jit=False, train=False)
    _, inference = next(iter(built.model.inference_networks().items()))
    network = inference.network
    x = np.random.default_rng(3).uniform(-1, 1, (a.batch_size, a.size, a.size, 3)).astype(
        "float32")
    report = {"machine": machine.machine_info(), "versions": machine.versions(),
              "date": machine.now(), "command": " ".join(["python", *sys.argv]),
              "plugin": a.plugin, "sets": a.set, "size": a.size, "threads": threads,
              "load_average": os.getloadavg(), "parity": {}, "results": {}}
    cases = {}
    with tempfile.TemporaryDirectory(prefix="cgtk-deploy-bench-") as tmp:
        for fmt in a.runtimes:
            path = None
            if fmt != "keras":
                path = Path(tmp) / f"net{SUFFIX[fmt]}"
                t0 = time.perf_counter()
                parity = export_with_parity(network, fmt, path, multiple=inference.multiple)
                report["parity"][fmt] = {**parity.to_dict(),
                                         "export_and_check_s": round(time.perf_counter() - t0,
                                                                     1)}
                print(f"export {fmt}: max |diff| {parity.max_diff:.2e} (tolerance "
                      f"{parity.tolerance:g}, {'ok' if parity.ok else 'FAILED'})", flush=True)
            cases[fmt] = Timed(open_runtime(fmt, path, network, x, threads), x)
        timings = runner.time_interleaved(cases, steps=a.steps, repeats=a.rounds,
                                          warmup=a.warmup)
    keras_ms = timings["keras"]["ms_per_step"] if "keras" in timings else None
    for fmt, t in timings.items():
        ips = a.batch_size * 1000.0 / t["ms_per_step"]
        report["results"][fmt] = {
            "ms_median": round(t["ms_per_step"], 2), "ms_all": [round(v, 2) for v in t["ms_all"]],
            "images_per_s": round(ips, 3),
            "x_keras": round(keras_ms / t["ms_per_step"], 3) if keras_ms else None,
            "first_call_s": round(t["first_step_s"], 2)}
        r = report["results"][fmt]
        print(f"{fmt:12s} {r['ms_median']:9.1f} ms  {ips:7.3f} images/s  x{r['x_keras']} of "
              f"keras  rounds {r['ms_all']}", flush=True)
    report["load_average_end"] = os.getloadavg()
    if a.out:
        a.out.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
