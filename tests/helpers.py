"""Test helpers: fake installed distributions, runs of the CLI in this process or in a
subprocess, subprocess runs of Python."""
from __future__ import annotations

import contextlib
import io
import json
import os
import random
import subprocess
import sys
import textwrap
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: the reference fixtures (tests/reference/make_fixtures.py writes them)
FIXTURES = Path(__file__).resolve().parent / "reference" / "fixtures"
TESTS = REPO / "tests"


def make_distribution(root: Path, name: str, entry_points: dict[str, str], *,
                      version: str = "1.0", modules: dict[str, str] | None = None) -> Path:
    """An installed distribution on ``root`` (a sys.path entry): a ``.dist-info``
    folder with METADATA and ``cgtk.plugins`` entry points, plus module files."""
    root.mkdir(parents=True, exist_ok=True)
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = ["[cgtk.plugins]"] + [f"{k} = {v}" for k, v in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for rel, code in (modules or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
    return root


def toy_distribution(root: Path) -> Path:
    """The tiny test plugin (tests/toyplugin) registered as 'toy'."""
    return make_distribution(root, "cgtk-toyplugin", {"toy": "toyplugin:plugin"})


def env_with(paths=(), **extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, paths), str(TESTS),
                                         env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_python(code: str, *, backend: str = "tensorflow", paths=(), timeout=600, **extra):
    """Run ``code`` in a fresh interpreter with KERAS_BACKEND=backend; returns CompletedProcess."""
    env = env_with(paths, KERAS_BACKEND=backend, **extra)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


def run_cli(*args, paths=(), timeout=900, **extra):
    """Run ``cgtk ARGS`` in a subprocess (the real console entry point)."""
    env = env_with(paths, **extra)
    return subprocess.run([sys.executable, "-m", "cgtk.cli.main", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


@dataclass
class Result:
    """What :func:`cli_in_process` returns: the fields of a ``CompletedProcess`` the tests
    read (``returncode``, ``stdout``, ``stderr``)."""

    args: list
    returncode: int
    stdout: str
    stderr: str


def current_backend() -> str:
    """The Keras backend of this process (the one Keras would choose if not imported yet)."""
    if "keras" in sys.modules:
        import keras

        return keras.backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


# Python's own warning filters (``python -W`` unset): what a fresh ``cgtk`` process shows
_PYTHON_DEFAULT_FILTERS = [("default", DeprecationWarning, "__main__"),
                           ("ignore", DeprecationWarning, None),
                           ("ignore", PendingDeprecationWarning, None),
                           ("ignore", ImportWarning, None),
                           ("ignore", ResourceWarning, None)]


@contextlib.contextmanager
def _global_state_kept():
    """Put back what a CLI run may change in this process: the environment, the working
    directory, sys.path, Python's and NumPy's random state, Keras' dtype policy, floatx
    and image data format, and TensorFlow's op determinism."""
    import numpy as np

    environ, cwd, path = dict(os.environ), os.getcwd(), list(sys.path)
    py_random, np_random = random.getstate(), np.random.get_state()
    keras_state = None
    if "keras" in sys.modules:
        import keras

        keras_state = (keras.config.dtype_policy(), keras.config.floatx(),
                       keras.config.image_data_format())
    tf_determinism = None
    if "tensorflow" in sys.modules:
        from tensorflow.python.framework import config as tf_config

        tf_determinism = tf_config.is_op_determinism_enabled()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(environ)
        os.chdir(cwd)
        sys.path[:] = path
        random.setstate(py_random)
        np.random.set_state(np_random)
        if "keras" in sys.modules:
            import keras

            if keras_state is None:
                keras_state = ("float32", "float32", "channels_last")
            keras.config.set_dtype_policy(keras_state[0])
            keras.config.set_floatx(keras_state[1])
            keras.config.set_image_data_format(keras_state[2])
        if "tensorflow" in sys.modules:
            from tensorflow.python.framework import config as tf_config

            if not tf_determinism and tf_config.is_op_determinism_enabled():
                tf_config.disable_op_determinism()


def cli_in_process(*args, paths=(), backend: str = "tensorflow", **extra):
    """``cgtk ARGS`` through :func:`cgtk.cli.main.main` in this process, as
    :func:`run_cli` runs it in a subprocess: the same arguments, ``paths`` on sys.path,
    ``extra`` in the environment, the repository as working directory, stdout and stderr
    captured (the rich consoles write to whatever ``sys.stdout``/``sys.stderr`` are) and
    Python's default warning filters, so warnings reach stderr as they would in a fresh
    process. A crash is exit code 1 with its traceback on stderr. Global state is put back
    afterwards (:func:`_global_state_kept`).

    ``backend``: the Keras backend the command runs on. When this process runs another
    one (a JAX command from the TensorFlow test process, or the reverse under ``tox -e
    jax``), the command runs the same way in one long-lived interpreter on that backend
    (:class:`CliServer`, one per backend and test process), which saves starting Python,
    TensorFlow and JAX for every command. A command that chooses another backend than
    ``backend`` fails there ("Keras is already running on ..."), never silently.
    ``CGTK_TEST_CLI_SUBPROCESS=1`` runs every call in a fresh subprocess instead
    (:func:`run_cli`), to check that no test depends on either.

    Not for what needs a fresh process: native log output, signals, kill -9, locks held
    by another process, import side effects.
    """
    if os.environ.get("CGTK_TEST_CLI_SUBPROCESS"):
        return run_cli(*args, paths=paths, **extra)
    if current_backend() != backend:
        if os.environ.get("CGTK_TEST_CLI_SERVER"):    # never a server inside a server
            raise RuntimeError(f"the {current_backend()} CLI server got a {backend} command")
        return CliServer.on(backend).run(args, paths=paths, extra=extra)
    from cgtk.cli import main as cli_main

    argv = [str(a) for a in args]
    stdout, stderr = io.StringIO(), io.StringIO()
    with _global_state_kept(), warnings.catch_warnings():
        warnings.resetwarnings()
        for action, category, module in reversed(_PYTHON_DEFAULT_FILTERS):
            warnings.filterwarnings(action, category=category, module=module or "")
        warnings.showwarning = warnings._showwarning_orig  # to sys.stderr, as Python does
        sys.path[:0] = [str(p) for p in paths]
        os.environ.update({k: str(v) for k, v in extra.items()})
        os.chdir(REPO)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = cli_main.main(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            except Exception:  # a crash: what Python prints, and exit code 1
                traceback.print_exc()
                code = 1
    return Result(["cgtk", *argv], code, stdout.getvalue(), stderr.getvalue())


class CliServer:
    """A Python interpreter on another Keras backend that runs :func:`cli_in_process`
    calls in turn (tests/cli_server.py): each request carries this process's whole
    environment, sys.path entries and arguments; the reply is the exit code and the
    captured stdout and stderr. A request that outlives ``timeout`` or a server that dies
    gives a failed :class:`Result` (and the next call starts a new server)."""

    _running: dict = {}
    MARKER = "CGTK-CLI-SERVER-RESULT "

    @classmethod
    def on(cls, backend: str) -> CliServer:
        server = cls._running.get(backend)
        if server is None or server.proc.poll() is not None:
            server = cls._running[backend] = cls(backend)
        return server

    def __init__(self, backend: str):
        import atexit
        import queue
        import tempfile
        import threading

        self.backend = backend
        self.log = tempfile.TemporaryFile(mode="w+")     # the server's native stderr
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(TESTS / "cli_server.py")], cwd=REPO, text=True,
            env=env_with(KERAS_BACKEND=backend, CGTK_TEST_CLI_SERVER=1), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log)
        self.lines: queue.Queue = queue.Queue()

        def read():
            for line in self.proc.stdout:
                self.lines.put(line)
            self.lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        atexit.register(self.stop)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def run(self, args, *, paths=(), extra=None, timeout=900) -> Result:
        import queue

        argv = [str(a) for a in args]
        request = {"args": argv, "paths": [str(p) for p in paths],
                   "environ": dict(os.environ),
                   "extra": {k: str(v) for k, v in (extra or {}).items()}}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                self.stop()
                return Result(["cgtk", *argv], -9, "", f"timed out after {timeout} s")
            if line is None:          # the server died: what it printed, as a crash
                self.log.seek(0)
                return Result(["cgtk", *argv], 1, "", self.log.read()[-5000:])
            if line.startswith(self.MARKER):
                reply = json.loads(line[len(self.MARKER):])
                return Result(["cgtk", *argv], reply["returncode"], reply["stdout"],
                              reply["stderr"])


def cli_in_process_ok(*args, **kwargs):
    """:func:`cli_in_process` that must succeed."""
    return succeeded(cli_in_process(*args, **kwargs))


def succeeded(result):
    """``result`` (a finished subprocess) after asserting it exited 0; the assertion shows
    the tails of its stdout and stderr."""
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


def run_cli_ok(*args, **kwargs):
    """:func:`run_cli` that must succeed."""
    return succeeded(run_cli(*args, **kwargs))


def last_json(text: str):
    """The JSON document printed last on stdout."""
    start = text.find("{") if text.lstrip().startswith("{") else text.find("[")
    return json.loads(text[start:])


def fixture_tensors(name: str) -> dict:
    """The state dict stored in ``tests/reference/fixtures/NAME.npz`` (keys ``tensor/...``)."""
    import numpy as np

    data = np.load(FIXTURES / f"{name}.npz")
    return {k[len("tensor/"):]: data[k] for k in data.files if k.startswith("tensor/")}


def save_safetensors(path: Path, tensors: dict) -> Path:
    """``tensors`` written to ``path`` as .safetensors (numpy API); returns ``path``."""
    from safetensors.numpy import save_file

    save_file(tensors, str(path))
    return path
