"""Export inference networks to deployable formats, with a parity check.

Formats (``cgtk export --format``), all written by Keras's own exporters:

=============  ==============================  ===============================  =========
format         writer                          checked with (its own runtime)   tolerance
=============  ==============================  ===============================  =========
keras          ``model.save`` (``.keras``)     ``load_model(safe_mode=True)``   1e-6
saved_model    ``keras.export.ExportArchive``  ``tf.saved_model.load``          1e-4
               (what ``model.export(format=    ``signatures["serving_default"]``
               "tf_saved_model")`` uses)
onnx           ``model.export(format="onnx")`` ``onnxruntime``                  1e-3
litert         ``model.export(format=          ``tf.lite.Interpreter`` (or      1e-3
(``tflite``)   "litert")``                     ``ai_edge_litert``)
=============  ==============================  ===============================  =========

Tolerances are max absolute differences on outputs in [-1, 1]: float32 kernels of
another runtime (oneDNN vs. MLAS vs. XNNPACK) reorder sums, which moves outputs by
~1e-6..1e-4 in deep nets; 1e-3 is still far below one 8-bit level (2/255 = 7.8e-3).

The SavedModel gets a ``serving_default`` signature with one input named ``image``
(float32 ``[batch, height, width, C]``, height/width dynamic) and one output named
``output``: ExportArchive is used directly (not ``model.export``) only to name them.

Backends: the ``.keras`` inference network does not depend on the backend it was
trained on, so any run exports on TensorFlow (the default here, whatever the run used).
With ``--backend jax``: ``keras`` and ``saved_model`` (through ``jax2tf``) work; ``onnx``
needs the ``jax2onnx`` package; ``litert`` is TensorFlow/PyTorch only in Keras 3.15 and is
refused with a CgtkError naming the backend to use.

Stochastic networks (pix2pix's U-Net keeps dropout on at test time) cannot be compared
element-wise; :func:`deterministic_twin` gives a copy without ``AlwaysDropout`` for the
parity check (or for export, with ``--no-dropout``).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cgtk.errors import CgtkError

FORMATS = ("keras", "saved_model", "litert", "onnx")
ALIASES = {"tflite": "litert", "tf_saved_model": "saved_model", "savedmodel": "saved_model",
           "keras3": "keras"}
SUFFIX = {"keras": ".keras", "saved_model": "", "litert": ".tflite", "onnx": ".onnx"}
TOLERANCE = {"keras": 1e-6, "saved_model": 1e-4, "onnx": 1e-3, "litert": 1e-3}
INPUT_NAME, OUTPUT_NAME = "image", "output"

# Keras 3.15 exporters by backend (keras/src/export/*.py), and the packages its ONNX
# exporter needs on each (besides onnxruntime, which checks the artifact).
BACKEND_SUPPORT = {
    "tensorflow": {"keras", "saved_model", "litert", "onnx"},
    "jax": {"keras", "saved_model", "onnx"},
}
ONNX_PACKAGES = {"tensorflow": ["tf2onnx", "onnx"], "jax": ["jax2onnx"]}


def normalise_format(fmt: str) -> str:
    f = str(fmt).lower().strip()
    f = ALIASES.get(f, f)
    if f not in FORMATS:
        raise CgtkError(f"--format {fmt}: unknown export format",
                        hint=f"choose one of: {', '.join(FORMATS)} (tflite = litert)")
    return f


def output_path(fmt: str, output) -> Path:
    """The artifact's path: the right suffix added when missing (SavedModel: a folder)."""
    path = Path(output).expanduser()
    suffix = SUFFIX[fmt]
    if suffix and (path.name in ("", ".", "..") or str(output).endswith(("/", os.sep))):
        raise CgtkError(f"--output {output} is a folder; --format {fmt} writes one file",
                        hint=f"give a file path, e.g. {path / ('generator' + suffix)}")
    if suffix and path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    return path


def check_backend(fmt: str, backend: str) -> None:
    """CgtkError if Keras cannot write ``fmt`` on ``backend`` (or a package is missing)."""
    if fmt not in BACKEND_SUPPORT.get(backend, set()):
        raise CgtkError(f"--format {fmt} cannot be exported on the {backend} backend "
                        "(Keras's LiteRT exporter supports TensorFlow and PyTorch only)",
                        hint="use --backend tensorflow: the .keras networks of a JAX run "
                        "load on TensorFlow unchanged")
    import importlib.util

    if fmt == "onnx":
        needed = ["onnxruntime", *ONNX_PACKAGES[backend]]
        missing = [m for m in needed if importlib.util.find_spec(m) is None]
        if missing:
            extra = ('pip install "cgtk[onnx]"' if backend == "tensorflow"
                     else f"pip install {' '.join(missing)}, or use --backend tensorflow")
            raise CgtkError(f"--format onnx needs {', '.join(missing)} (not installed)",
                            hint=extra)
    if fmt in ("saved_model", "litert") and importlib.util.find_spec("tensorflow") is None:
        raise CgtkError(f"--format {fmt} needs TensorFlow", hint="pip install tensorflow")


# ------------------------------------------------------------ stochasticity ---

def _stochastic_layers(model) -> list:
    return [layer for layer in _all_layers(model) if type(layer).__name__ == "AlwaysDropout"
            and getattr(layer, "rate", 0)]


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def is_stochastic(model, channels: int = 3) -> bool:
    """True when two calls on one input differ (e.g. dropout kept on at inference)."""
    if _stochastic_layers(model):
        return True
    x = np.random.default_rng(0).uniform(-1, 1, (1, 64, 64, channels)).astype("float32")
    try:
        a = np.asarray(model(x, training=False))
        b = np.asarray(model(x, training=False))
    except Exception:  # noqa: BLE001 - shapes are checked by the parity run
        return False
    return bool(np.abs(a - b).max() > 1e-6)


def deterministic_twin(model):
    """A copy of ``model`` with every ``AlwaysDropout`` replaced by an identity, same weights.

    Returns ``model`` itself when it has none.
    """
    import keras

    if not _stochastic_layers(model):
        return model

    def clone(layer):
        if type(layer).__name__ == "AlwaysDropout":
            return keras.layers.Identity(name=layer.name)
        return layer.__class__.from_config(layer.get_config())

    twin = keras.models.clone_model(model, clone_function=clone)
    for layer in model.layers:
        if layer.weights and type(layer).__name__ != "AlwaysDropout":
            twin.get_layer(layer.name).set_weights(layer.get_weights())
    return twin


# ------------------------------------------------------------------ write ---

def _channels(model) -> int:
    return int(model.inputs[0].shape[-1] or 3)


def write_saved_model(model, path: Path) -> None:
    """A SavedModel with one ``serving_default`` endpoint ``image -> output``; what differs
    by backend (the input spec, jax2tf's save options) is the backend module's
    ``saved_model_endpoint`` / ``saved_model_options``."""
    import keras

    from cgtk.engine import backend

    current = backend.current()
    archive = keras.export.ExportArchive()
    archive.track(model)

    def serve(image):
        return {OUTPUT_NAME: model(image, training=False)}

    spec, kwargs = current.saved_model_endpoint(_channels(model), INPUT_NAME)
    archive.add_endpoint("serve", serve, input_signature=[spec], **kwargs)
    archive.write_out(str(path), options=current.saved_model_options(), verbose=False)


def export_network(model, fmt: str, path: Path, *, keras_file: Path | None = None) -> Path:
    """Write ``model`` as ``fmt`` at ``path`` with Keras's exporters; returns ``path``."""
    import contextlib
    import io
    import warnings

    import keras

    fmt = normalise_format(fmt)
    check_backend(fmt, keras.backend.backend())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), warnings.catch_warnings():
            # Keras's bundled tf2onnx probes np.object, which NumPy 2 warns about
            warnings.filterwarnings("ignore", category=FutureWarning,
                                    module=r"keras\.src\.export\.tf2onnx")
            if fmt == "keras":
                model.save(str(path))
            elif fmt == "saved_model":
                write_saved_model(model, path)
            elif fmt == "onnx":
                c = _channels(model)
                spec = keras.InputSpec(shape=(None, None, None, c), dtype="float32",
                                       name=INPUT_NAME)
                model.export(str(path), format="onnx", input_signature=[spec], verbose=False)
            else:
                model.export(str(path), format="litert", verbose=False)
    except CgtkError:
        raise
    except Exception as err:  # noqa: BLE001 - an exporter failure is reported as one line
        text = " ".join(str(err).split())[:300]
        raise CgtkError(f"exporting to {fmt} on {keras.backend.backend()} failed: "
                        f"{type(err).__name__}: {text}") from err
    return path


# ------------------------------------------------------------------- read ---

class Runner:
    """Runs an exported artifact in its own runtime: ``runner(x[N, H, W, C]) -> y``."""

    def __init__(self, fmt: str, path: Path):
        self.fmt, self.path = normalise_format(fmt), Path(path)
        getattr(self, f"_open_{self.fmt}")()

    def _open_keras(self):
        from cgtk.inference.load import load_keras_model

        self.model = load_keras_model(self.path)
        self.fn = lambda x: np.asarray(self.model(x, training=False))

    def _open_saved_model(self):
        import tensorflow as tf

        self.loaded = tf.saved_model.load(str(self.path))
        sig = self.loaded.signatures["serving_default"]
        self.signature = sig

        def fn(x):
            out = sig(**{INPUT_NAME: tf.constant(x)})
            return out[OUTPUT_NAME].numpy()

        self.fn = fn

    def _open_onnx(self):
        import onnxruntime as ort

        self.session = ort.InferenceSession(str(self.path), providers=["CPUExecutionProvider"])
        name = self.session.get_inputs()[0].name
        self.fn = lambda x: self.session.run(None, {name: x})[0]

    def _open_litert(self):
        try:
            import tensorflow as tf

            Interpreter = tf.lite.Interpreter  # noqa: N806 - TF keeps it through 2.21
        except (ImportError, AttributeError):
            from ai_edge_litert.interpreter import Interpreter  # noqa: N813
        import warnings

        from cgtk.native_logs import filtered_native_stderr

        with warnings.catch_warnings(), filtered_native_stderr():  # "INFO: Created ... XNNPACK"
            warnings.simplefilter("ignore")
            self.interpreter = Interpreter(model_path=str(self.path))
            self.interpreter.allocate_tensors()  # applies the delegate: its message is here

        def fn(x):
            it = self.interpreter
            inp = it.get_input_details()[0]
            it.resize_tensor_input(inp["index"], list(x.shape), strict=False)
            it.allocate_tensors()
            it.set_tensor(inp["index"], x)
            it.invoke()
            return it.get_tensor(it.get_output_details()[0]["index"])

        self.fn = fn

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.fn(np.ascontiguousarray(x, np.float32)), np.float32)


# ----------------------------------------------------------------- parity ---

@dataclass
class Parity:
    format: str
    tolerance: float
    checks: list = field(default_factory=list)  # (label, shape, max abs diff)
    note: str = ""

    @property
    def max_diff(self) -> float:
        return max((d for _, _, d in self.checks), default=float("nan"))

    @property
    def ok(self) -> bool:
        return bool(self.checks) and self.max_diff <= self.tolerance

    def to_dict(self) -> dict:
        return {"format": self.format, "tolerance": self.tolerance, "ok": self.ok,
                "max_abs_diff": self.max_diff, "note": self.note,
                "checks": [{"input": label, "shape": list(shape), "max_abs_diff": d}
                           for label, shape, d in self.checks]}


def parity_inputs(multiple: int, channels: int = 3, image: np.ndarray | None = None,
                  seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """Random inputs at two sizes and one photo-like image, sides multiples of ``multiple``.

    ``image`` (uint8 ``[H, W, 3]``) is the real image; default: a procedural demo scene.
    """
    m = max(1, int(multiple))

    def side(n):
        return max(m, -(-n // m) * m)

    rng = np.random.default_rng(seed)
    out = [(f"random {side(48)}x{side(72)}",
            rng.uniform(-1, 1, (1, side(48), side(72), channels)).astype("float32")),
           (f"random {side(64)}x{side(40)}",
            rng.uniform(-1, 1, (2, side(64), side(40), channels)).astype("float32"))]
    if image is None:
        from cgtk.data.demo import demo_split

        image = np.asarray(demo_split("unpaired", "test", 96)["A"][0])
        label = "demo scene"
    else:
        label = "image"
    x = image.astype(np.float32) / 127.5 - 1.0 if image.dtype == np.uint8 else image
    h, w = x.shape[0] // m * m, x.shape[1] // m * m
    x = x[:h, :w]
    if channels == 1:
        x = (x @ np.array([0.2989, 0.587, 0.114], np.float32))[..., None]
    out.append((f"{label} {h}x{w}", x[None].astype("float32")))
    return out


def check_parity(model, fmt: str, path: Path, inputs, *, tolerance: float | None = None,
                 note: str = "", progress=None) -> Parity:
    """Max |artifact(x) - model(x)| over ``inputs`` (``[(label, x)]``); ``progress(1)``
    after each input."""
    fmt = normalise_format(fmt)
    runner = Runner(fmt, path)
    result = Parity(fmt, TOLERANCE[fmt] if tolerance is None else float(tolerance), note=note)
    for label, x in inputs:
        want = np.asarray(model(x, training=False), np.float32)
        got = runner(x)
        if got.shape != want.shape:
            raise CgtkError(f"the {fmt} artifact maps {x.shape} to {got.shape}, the Keras "
                            f"model to {want.shape}")
        result.checks.append((label, tuple(x.shape), float(np.abs(got - want).max())))
        if progress:
            progress(1)
    return result


def export_with_parity(model, fmt: str, path: Path, *, multiple: int = 1,
                       image: np.ndarray | None = None, no_dropout: bool = False,
                       tolerance: float | None = None, progress=None) -> Parity:
    """Export ``model`` and check it against Keras; returns the :class:`Parity`.

    A stochastic network is exported as it is (unless ``no_dropout``) and checked
    through its deterministic twin, exported the same way to a temporary path.
    ``progress(1)`` after each export and each parity input (a progress bar with
    ``add_total`` is told the amount of work first).
    """
    fmt = normalise_format(fmt)
    channels = _channels(model)
    stochastic = is_stochastic(model, channels)
    note = ""
    target = deterministic_twin(model) if (stochastic and no_dropout) else model
    inputs = parity_inputs(multiple, channels, image)
    if hasattr(progress, "add_total"):
        progress.add_total(1 + len(inputs) + int(stochastic and not no_dropout))
    tick = progress or (lambda n=1: None)
    export_network(target, fmt, path)
    tick(1)
    if stochastic and not no_dropout:
        twin = deterministic_twin(model)
        if twin is model:  # stochastic for another reason: nothing to compare with
            return Parity(fmt, TOLERANCE[fmt], note="the network is stochastic and has no "
                          "dropout to disable: parity not checked")
        tmp = Path(tempfile.mkdtemp(prefix="cgtk-parity-"))
        try:
            twin_path = tmp / (f"twin{SUFFIX[fmt]}" if SUFFIX[fmt] else "twin")
            export_network(twin, fmt, twin_path)
            tick(1)
            return check_parity(twin, fmt, twin_path, inputs, tolerance=tolerance,
                                progress=progress,
                                note="the network samples dropout at inference; parity "
                                "checked on the same network with dropout disabled, "
                                "exported the same way (use --no-dropout to export that)")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if stochastic and no_dropout:
        note = "dropout disabled in the exported network (--no-dropout)"
    return check_parity(target, fmt, path, inputs, tolerance=tolerance, note=note,
                        progress=progress)
