"""Keeping TensorFlow's native chatter off the terminal, and its real errors on it.

TensorFlow 2.16+ logs from C++ through absl before absl's logging is initialised, and
those lines ignore ``TF_CPP_MIN_LOG_LEVEL``: every ``import tensorflow`` writes
"oneDNN custom operations are on", "Could not find cuda drivers" and a CPU-feature
notice (some of them twice); the first device query on a machine without a CUDA driver
writes "failed call to cuInit"; the first training step of a conv + bias + LeakyReLU
network writes Grappler's "remapper failed: ... LeakyReluGrad exist for missing node"
(a known TensorFlow bug: the rewrite is skipped and training is unaffected); TFLite's
interpreter writes "INFO: Created TensorFlow Lite XNNPACK delegate".

While a :func:`filtered_native_stderr` block runs, file descriptor 2 is a pipe to a small
child process (this file run as a script) that forwards each line at once unless it is
chatter: a native log record below ``TF_CPP_MIN_LOG_LEVEL`` (cgtk sets 2, so errors and
fatal errors pass), absl's "before absl::InitializeLog()" banner, the cuInit failure
after TensorFlow said there is no CUDA driver (with a driver it passes: it explains an
unused GPU), or the remapper message above. Everything else, Python's own writes
included, passes unchanged, and because the child forwards until the pipe closes, a
crash inside the block loses nothing. ``CGTK_DEBUG=1`` turns the filter off.

>>> text = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n"
...         "I0000 00:00:17.5  42 port.cc:153] oneDNN custom operations are on.\\n"
...         "E0000 00:00:17.9  42 foo.cc:1] something real\\n")
>>> drop_chatter(text, min_level=2)
'E0000 00:00:17.9  42 foo.cc:1] something real\\n'
"""
# Standard library only: the filtering child runs this file with ``python -I -S``.
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import re
import signal
import subprocess
import sys

__all__ = ["filtered_native_stderr", "filtered_first_step", "drop_chatter",
           "hold_tensorflow_start_up"]

_RECORD = re.compile(r"^(?:([IWEF])\d{4} \d\d:\d\d:[\d.]+\s+\d+ [^\]]+\] "
                     r"|(INFO|WARNING|ERROR): )")  # absl's records, then TFLite's
_LEVELS = {"I": 0, "W": 1, "E": 2, "F": 3, "INFO": 0, "WARNING": 1, "ERROR": 2}
_BANNER = "WARNING: All log messages before absl::InitializeLog() is called"
_NO_DRIVER = "Could not find cuda drivers on your machine"
_CUINIT = "failed call to cuInit"
_CONTINUED = ("To enable the following instructions",)  # 2nd line of cpu_feature_guard's
_HARMLESS = (("remapper failed", "LeakyReluGrad' exist for missing node"),)


class ChatterFilter:
    """Decides line by line (streaming) what to keep; see the module docstring."""

    def __init__(self, min_level: int):
        self.min_level = min_level
        self.no_driver = False
        self.dropping = False

    def keep(self, line: str) -> bool:
        if line.startswith(_BANNER):
            return False
        match = _RECORD.match(line)
        if match:
            self.no_driver |= _NO_DRIVER in line
            level = _LEVELS[match.group(1) or match.group(2)]
            self.dropping = (level < self.min_level
                             or (self.no_driver and _CUINIT in line)
                             or any(all(part in line for part in parts) for parts in _HARMLESS))
            return not self.dropping
        if self.dropping and line.startswith(_CONTINUED):
            return False
        self.dropping = False
        return True


def drop_chatter(text: str, min_level: int) -> str:
    """``text`` without the chatter (records below ``min_level``: 0 info ... 3 fatal)."""
    chatter = ChatterFilter(min_level)
    return "".join(line for line in text.splitlines(keepends=True) if chatter.keep(line))


def _forward(source, sink, min_level: int) -> None:
    """The child's loop: copy ``source`` to ``sink`` (both binary) line by line, without
    the chatter."""
    chatter = ChatterFilter(min_level)
    for raw in iter(source.readline, b""):
        if chatter.keep(raw.decode("utf-8", "replace")):
            sink.write(raw)
            sink.flush()


def _min_level() -> int:
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        return 0


@contextlib.contextmanager
def filtered_native_stderr():
    """Pass what is written to file descriptor 2 meanwhile through the chatter filter."""
    from cgtk.errors import debug_enabled

    if debug_enabled():
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real stderr (embedded, closed)
        yield
        return
    read, write = os.pipe()
    try:
        child = subprocess.Popen([sys.executable, "-I", "-S", os.path.abspath(__file__),
                                  str(_min_level())], stdin=read, stdout=saved)
    except OSError:
        for fd in (read, write, saved):
            os.close(fd)
        yield
        return
    os.close(read)
    os.dup2(write, 2)
    os.close(write)
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
    """:func:`filtered_native_stderr` on TensorFlow (whose Grappler writes the remapper
    message while compiling the first step); nothing on JAX, whose XLA warnings at
    compile time are worth seeing."""
    import keras

    if keras.backend.backend() == "tensorflow":
        return filtered_native_stderr()
    return contextlib.nullcontext()


# ------------------------------------------------- the first TensorFlow import ---

class _FilteredLoader(importlib.abc.Loader):
    """Runs the real loader with stderr filtered, then asks TensorFlow for its GPUs
    (where a machine without a CUDA driver logs the cuInit failure)."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = module.__spec__.loader = self.loader  # as if never wrapped
        with filtered_native_stderr():
            self.loader.exec_module(module)
            with contextlib.suppress(Exception):  # only asked early for its log lines
                module.config.list_physical_devices("GPU")


class _TensorFlowImportFinder(importlib.abc.MetaPathFinder):
    """One-shot: finds ``tensorflow`` the usual way and wraps its loader."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _FilteredLoader(spec.loader)
        return spec


_finder = _TensorFlowImportFinder()


def hold_tensorflow_start_up() -> None:
    """Whenever TensorFlow is first imported in this process (directly, by Keras or by
    tf.data), filter what it writes to stderr meanwhile (:func:`filtered_native_stderr`).
    Imports nothing now, so commands still fail fast on bad input."""
    from cgtk.errors import debug_enabled

    if "tensorflow" in sys.modules or debug_enabled() or _finder in sys.meta_path:
        return
    sys.meta_path.insert(0, _finder)


if __name__ == "__main__":  # the filtering child
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _forward(sys.stdin.buffer, sys.stdout.buffer, int(sys.argv[1]))
