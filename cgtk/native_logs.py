"""Keeping TensorFlow's native chatter off the terminal, and its real errors on it.

TensorFlow logs from C++ through absl, ignoring ``TF_CPP_MIN_LOG_LEVEL`` until absl is
initialised: ``import tensorflow`` writes "oneDNN custom operations are on", "Could not find
cuda drivers" and a CPU-feature notice, the first device query without a CUDA driver
"failed call to cuInit", Grappler's first step of a conv + bias + LeakyReLU network
"remapper failed: ... LeakyReluGrad exist for missing node" (a known, harmless TF bug),
TFLite's interpreter "INFO: Created TensorFlow Lite XNNPACK delegate".

Inside :func:`filtered_native_stderr`, file descriptor 2 is a pipe to a child process (this
file run as a script) that forwards each line at once unless it is chatter: a native record
below ``TF_CPP_MIN_LOG_LEVEL`` (cgtk sets 2: errors pass), absl's banner, the cuInit
failure after "no CUDA driver" (with a driver it explains an unused GPU), or the remapper
message. Other lines pass unchanged, and a crash inside the block loses nothing.
``CGTK_DEBUG=1`` turns the filter off.

>>> text = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n"
...         "I0000 00:00:17.5  42 port.cc:153] oneDNN custom operations are on.\\n"
...         "E0000 00:00:17.9  42 foo.cc:1] something real\\n")
>>> drop_chatter(text, min_level=2)
'E0000 00:00:17.9  42 foo.cc:1] something real\\n'
"""
# Standard library only: the filtering child runs this file with ``python -I -S``.
from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys

_RECORD = re.compile(r"^(?:([IWEF])\d{4} \d\d:\d\d:[\d.]+\s+\d+ [^\]]+\] "
                     r"|(INFO|WARNING|ERROR): )")  # absl's records, then TFLite's
_LEVELS = {"I": 0, "W": 1, "E": 2, "F": 3, "INFO": 0, "WARNING": 1, "ERROR": 2}
_BANNER = "WARNING: All log messages before absl::InitializeLog() is called"
_CONTINUED = "To enable the following instructions"  # cpu_feature_guard's second line


def _chatter_filter(min_level: int):
    """``keep(line) -> bool``, streaming: it remembers "no CUDA driver" and a dropped record."""
    state = {"no_driver": False, "dropping": False}

    def keep(line: str) -> bool:
        if line.startswith(_BANNER):
            return False
        match = _RECORD.match(line)
        if match:
            state["no_driver"] |= "Could not find cuda drivers" in line
            state["dropping"] = (_LEVELS[match.group(1) or match.group(2)] < min_level
                                 or (state["no_driver"] and "failed call to cuInit" in line)
                                 or ("remapper failed" in line
                                     and "LeakyReluGrad' exist for missing node" in line))
            return not state["dropping"]
        continued = state["dropping"] and line.startswith(_CONTINUED)
        state["dropping"] = False
        return not continued

    return keep


def drop_chatter(text: str, min_level: int) -> str:
    """``text`` without the chatter (records below ``min_level``: 0 info ... 3 fatal)."""
    keep = _chatter_filter(min_level)
    return "".join(line for line in text.splitlines(keepends=True) if keep(line))


def _redirect_stderr():
    """Point file descriptor 2 at a new filtering child: ``(child, saved fd 2)``, or None
    where that cannot be done (no real stderr, no subprocess)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # embedded, closed
        return None
    read, write = os.pipe()
    try:
        child = subprocess.Popen([sys.executable, "-I", "-S", os.path.abspath(__file__),
                                  os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0")],
                                 stdin=read, stdout=saved)
    except OSError:
        os.close(write)
        os.close(saved)
        return None
    finally:
        os.close(read)
    os.dup2(write, 2)
    os.close(write)
    return child, saved


@contextlib.contextmanager
def filtered_native_stderr():
    """Pass what is written to file descriptor 2 meanwhile through the chatter filter."""
    from cgtk.errors import debug_enabled

    started = None if debug_enabled() else _redirect_stderr()
    if started is None:
        yield
        return
    child, saved = started
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os.dup2(saved, 2)  # drops this process's last write end: the child sees EOF
        os.close(saved)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a grandchild still holds the pipe open
            child.kill()


def filtered_first_step():
    """A context manager around the compiling first training step: the filter on
    TensorFlow (Grappler's remapper message), nothing on JAX (XLA's compile-time warnings
    are worth seeing); the backend module's ``first_step_log_filter``."""
    from cgtk.engine import backend

    return backend.current().first_step_log_filter()


class _TensorFlowImportFinder:
    """One-shot import hook: TensorFlow's first import (and first GPU query, which logs the
    cuInit failure) runs inside :func:`filtered_native_stderr`."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        real_exec = loader.exec_module

        def exec_module(module):
            del loader.exec_module  # the loader is TensorFlow's own again
            with filtered_native_stderr():
                real_exec(module)
                with contextlib.suppress(Exception):  # only asked early for its log lines
                    module.config.list_physical_devices("GPU")

        loader.exec_module = exec_module
        return spec


_finder = _TensorFlowImportFinder()


def hold_tensorflow_start_up() -> None:
    """Whenever TensorFlow is first imported in this process (directly, by Keras or by
    tf.data), filter what it writes to stderr meanwhile. Imports nothing now, so commands
    still fail fast on bad input."""
    from cgtk.errors import debug_enabled

    if "tensorflow" in sys.modules or debug_enabled() or _finder in sys.meta_path:
        return
    sys.meta_path.insert(0, _finder)


if __name__ == "__main__":  # the filtering child: stdin to stdout, without the chatter
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        level = int(sys.argv[1])
    except ValueError:
        level = 0
    keep = _chatter_filter(level)
    for raw in iter(sys.stdin.buffer.readline, b""):
        if keep(raw.decode("utf-8", "replace")):
            sys.stdout.buffer.write(raw)
            sys.stdout.buffer.flush()
