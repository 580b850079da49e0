"""Backend code lives in cgtk/engine/backend/: each backend module defines the whole
interface listed there, the interface behaves on both backends, and the rest of cgtk
neither compares ``keras.backend.backend()`` nor imports TensorFlow/JAX outside the
places listed below, each with its reason."""
import ast
import importlib
import importlib.util
import inspect
import json

import keras
import numpy as np
import pytest
from helpers import REPO, run_python

from cgtk.engine import backend

HAVE_JAX = importlib.util.find_spec("jax") is not None


def _modules():
    names = ["tensorflow"] + (["jax"] if HAVE_JAX else [])
    return {n: importlib.import_module(backend.SUPPORTED[n]) for n in names}


def test_every_backend_module_defines_the_whole_interface():
    assert HAVE_JAX, "jax is a dependency of the test environment (pyproject's jax extra)"
    assert set(backend.SUPPORTED) == {"tensorflow", "jax"}
    for name, module in _modules().items():
        missing = [n for n in backend.INTERFACE if not hasattr(module, n)]
        assert not missing, f"cgtk/engine/backend/{name}.py lacks {missing}"
        assert isinstance(module.JIT_ON_CPU, bool)


def test_the_interface_is_documented_where_it_is_defined():
    doc = backend.__doc__
    undocumented = [n for n in backend.INTERFACE if f"``{n}" not in doc]
    assert not undocumented, f"cgtk/engine/backend/__init__.py does not describe {undocumented}"


def test_both_modules_agree_on_the_signatures():
    tf_mod, jax_mod = _modules()["tensorflow"], _modules()["jax"]
    for name in backend.INTERFACE:
        a, b = getattr(tf_mod, name), getattr(jax_mod, name)
        if name in ("train_step", "JIT_ON_CPU") or not callable(a):
            continue  # train_step differs by design: TF's is stateful, JAX's pure
        params = [list(inspect.signature(f).parameters) for f in (a, b)]
        assert params[0] == params[1], f"{name}: {params[0]} on TF, {params[1]} on JAX"


def _net():
    keras.utils.set_random_seed(0)
    inp = keras.Input((None, None, 3))
    return keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(inp))


def test_the_interface_on_tensorflow():
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the in-process half runs on TensorFlow (the JAX half in a subprocess)")
    import tensorflow as tf

    here = backend.current()
    assert here is _modules()["tensorflow"]
    here.enable_determinism()
    assert here.default_strategy() is tf.distribute.get_strategy()
    assert here.versions() == {"tensorflow": tf.__version__}
    net = _net()
    x = np.random.default_rng(0).uniform(-1, 1, (2, 8, 12, 3)).astype("float32")
    want = np.asarray(net(x))
    for fn in (here.compiled_forward(net, False), here.inference_forward(net)):
        y = fn(x)
        here.block_until_ready(y)
        np.testing.assert_allclose(np.asarray(y), want, atol=1e-5)
    gpus = tf.config.list_physical_devices("GPU")
    assert len(here.accelerators()) == len(gpus)
    assert (here.peak_memory() is None) == (not gpus)
    np.testing.assert_array_equal(here.to_numpy(net.weights[0].value),
                                  np.asarray(net.weights[0].numpy()))
    spec, kwargs = here.saved_model_endpoint(3, "image")
    assert tuple(spec.shape) == (None, None, None, 3) and spec.name == "image" and kwargs == {}
    assert here.saved_model_options() is None
    dist = here.setup_distribution("one")
    assert (dist.backend, dist.kind, dist.num_replicas) == ("tensorflow", "one", 1)


def test_the_interface_on_jax():
    code = """
    import json, numpy as np, keras, contextlib
    from cgtk.engine import backend, distribute
    here = backend.current()
    here.enable_determinism()
    keras.utils.set_random_seed(0)
    inp = keras.Input((None, None, 3))
    net = keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same")(inp))
    x = np.random.default_rng(0).uniform(-1, 1, (2, 8, 12, 3)).astype("float32")
    want = np.asarray(net(x))
    diffs = []
    for fn in (here.compiled_forward(net, True), here.inference_forward(net)):
        y = fn(x)
        here.block_until_ready(y)
        diffs.append(float(np.abs(np.asarray(y) - want).max()))
    spec, kwargs = here.saved_model_endpoint(3, "image")
    dist = distribute.setup("one")
    print("RESULT", json.dumps({
        "module": here.__name__, "strategy": here.default_strategy(),
        "versions": sorted(here.versions()), "diffs": diffs, "kwargs": kwargs,
        "spec": [list(spec.shape), spec.name], "peak": here.peak_memory(),
        "gpus": len([d for d in __import__("jax").devices() if d.platform != "cpu"]),
        "accelerators": len(here.accelerators()), "jit": distribute.default_jit(dist),
        "dist": [dist.backend, dist.kind, dist.num_replicas],
        "options": type(here.saved_model_options()).__name__,
        "first_step": type(here.first_step_log_filter()).__name__,
        "to_numpy": here.to_numpy(net.weights[0].value).shape == tuple(net.weights[0].shape)}))
    """
    result = run_python(code, backend="jax")
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(s for s in result.stdout.splitlines() if s.startswith("RESULT "))
    got = json.loads(line[len("RESULT "):])
    assert got["module"] == "cgtk.engine.backend.jax"
    assert got["strategy"] is None
    assert {"jax", "tensorflow"} <= set(got["versions"])
    assert max(got["diffs"]) < 1e-5
    assert got["kwargs"] == {"is_static": False} and got["spec"] == [[None, None, None, 3], "image"]
    assert got["accelerators"] == got["gpus"]
    assert (got["peak"] is None) == (got["gpus"] == 0)
    assert got["jit"] is True and got["dist"] == ["jax", "one", 1]
    assert got["options"] == "SaveOptions" and got["first_step"] == "nullcontext"
    assert got["to_numpy"] is True


# ------------------------------------------------------------ the grep ---

#: Where cgtk may still import TensorFlow/JAX or compare ``keras.backend.backend()``
#: outside cgtk/engine/backend/, cgtk/backend_env.py and cgtk/cli/: ``"path::scope"``
#: (scope: the enclosing function, ``Class.method``, or ``<module>``; ``"path::*"`` a whole
#: file; a path ending in ``/`` a whole folder) -> why.
ALLOWED = {
    "cgtk/data/": "the input pipeline is tf.data (and tf.image) on every backend",
    "cgtk/callbacks/tensorboard.py::EventWriter.__init__":
        "TensorBoard event files are written with TensorFlow's summary protos on every backend",
    "cgtk/export.py::Runner._open_saved_model":
        "TensorFlow is the runtime that checks a SavedModel, whatever the Keras backend",
    "cgtk/export.py::Runner._open_litert":
        "TensorFlow's tf.lite interpreter checks a LiteRT file, whatever the Keras backend",
    "cgtk/metrics/bicubic.py::_resize":
        "tf.image as an image library on NumPy arrays: the same numbers on every backend",
    "cgtk/metrics/sr.py::psnr": "tf.image.psnr on NumPy arrays, on every backend",
    "cgtk/metrics/sr.py::ssim": "tf.image.ssim on NumPy arrays, on every backend",
    "cgtk/metrics/inception.py::InceptionFeatures._resize":
        "tf.image.resize on NumPy arrays, on every backend",
    "cgtk/metrics/inception.py::InceptionFeatures._load_saved_model":
        "an Inception SavedModel runs in TensorFlow, whatever the Keras backend",
    "cgtk/bench/runner.py::set_threads":
        "--threads sizes TensorFlow's thread pools (TensorFlow only; JAX ignores it)",
    "cgtk/testing.py::check_plugin":
        "compares backend names to pick the other installed backends to check in "
        "subprocesses; no backend-specific code runs",
}
BACKEND_LIBRARIES = {"tensorflow", "jax", "jaxlib"}
EXCLUDED = ("cgtk/engine/backend/", "cgtk/cli/")


def _is_backend_call(node) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "backend"
            and ast.unparse(node.func.value).endswith(("keras.backend", "keras.config")))


class _Finder(ast.NodeVisitor):
    """Imports of backend libraries and comparisons of ``keras.backend.backend()`` (or of
    a name assigned from it in the same scope), with their enclosing scope."""

    def __init__(self):
        self.stack, self.found, self.assigned = [], [], set()

    def _scope(self):
        return ".".join(self.stack) or "<module>"

    def _nested(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _nested

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name.split(".")[0] in BACKEND_LIBRARIES:
                self.found.append((self._scope(), node.lineno, f"import {alias.name}"))

    def visit_ImportFrom(self, node):
        if node.level == 0 and (node.module or "").split(".")[0] in BACKEND_LIBRARIES:
            self.found.append((self._scope(), node.lineno, f"from {node.module} import"))

    def visit_Assign(self, node):
        if _is_backend_call(node.value):
            self.assigned |= {(self._scope(), t.id) for t in node.targets
                              if isinstance(t, ast.Name)}
        self.generic_visit(node)

    def visit_Compare(self, node):
        for side in (node.left, *node.comparators):
            if _is_backend_call(side) or (isinstance(side, ast.Name)
                                          and (self._scope(), side.id) in self.assigned):
                self.found.append((self._scope(), node.lineno, "compares the Keras backend"))
                break
        self.generic_visit(node)


def _findings():
    out = []
    for path in sorted((REPO / "cgtk").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith(EXCLUDED) or rel == "cgtk/backend_env.py":
            continue
        finder = _Finder()
        finder.visit(ast.parse(path.read_text(encoding="utf-8")))
        out += [(rel, scope, line, what) for scope, line, what in finder.found]
    return out


def _allowance(rel, scope):
    for key in (f"{rel}::{scope}", f"{rel}::*"):
        if key in ALLOWED:
            return key
    return next((k for k in ALLOWED if k.endswith("/") and rel.startswith(k)), None)


def test_backend_code_stays_in_the_backend_modules():
    findings = _findings()
    bad = [f"{rel}:{line} ({scope}): {what}" for rel, scope, line, what in findings
           if _allowance(rel, scope) is None]
    assert not bad, ("backend-specific code outside cgtk/engine/backend/: move it into the "
                     "backend modules' interface (or list it in ALLOWED with a reason):\n"
                     + "\n".join(bad))
    used = {_allowance(rel, scope) for rel, scope, _, _ in findings}
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"exceptions that no longer match anything, remove them: {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_grep_finds_what_it_must():
    """The finder itself: a comparison, one through a name, and a nested import."""
    source = ("import keras\n"
              "def f():\n    if keras.backend.backend() == 'jax':\n        import jax\n"
              "def g():\n    name = keras.backend.backend()\n    return name in ('tensorflow',)\n"
              "def h():\n    return keras.backend.backend()\n")
    finder = _Finder()
    finder.visit(ast.parse(source))
    assert [(s, w) for s, _, w in finder.found] == [
        ("f", "compares the Keras backend"), ("f", "import jax"),
        ("g", "compares the Keras backend")]


def test_docstring_example():
    import doctest

    result = doctest.testmod(backend)
    assert result.attempted > 0 and result.failed == 0
