"""Keeping TensorFlow's native start-up chatter off the terminal.

TensorFlow 2.16+ logs from C++ through absl before absl's logging is initialised, and
those lines ignore ``TF_CPP_MIN_LOG_LEVEL``: every ``import tensorflow`` writes
"oneDNN custom operations are on", "Could not find cuda drivers" and a CPU-feature
notice (some of them twice), and the first device query on a machine without a GPU
driver writes "failed call to cuInit"; TFLite's interpreter writes "INFO: Created
TensorFlow Lite XNNPACK delegate". :func:`held_native_stderr` points file
descriptor 2 at a temporary file while its block runs, then writes back every record
that is not chatter: records of a level below ``TF_CPP_MIN_LOG_LEVEL`` (cgtk sets 2, so
errors and fatal errors are kept), absl's "before absl::InitializeLog()" banner, and the
cuInit failure when TensorFlow itself said the machine has no CUDA driver (with a driver
the failure is kept: it explains why a GPU went unused). Everything else, Python's own
writes included, is written back unchanged. ``CGTK_DEBUG=1`` turns the filter off.

>>> text = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n"
...         "I0000 00:00:17.5  42 port.cc:153] oneDNN custom operations are on.\\n"
...         "E0000 00:00:17.9  42 foo.cc:1] something real\\n")
>>> drop_chatter(text, min_level=2)
'E0000 00:00:17.9  42 foo.cc:1] something real\\n'
"""
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import re
import sys
import tempfile

from cgtk.errors import debug_enabled

__all__ = ["held_native_stderr", "drop_chatter", "hold_tensorflow_start_up"]

_RECORD = re.compile(r"^(?:([IWEF])\d{4} \d\d:\d\d:[\d.]+\s+\d+ [^\]]+\] "
                     r"|(INFO|WARNING|ERROR): )")  # absl's records, then TFLite's
_LEVELS = {"I": 0, "W": 1, "E": 2, "F": 3, "INFO": 0, "WARNING": 1, "ERROR": 2}
_BANNER = "WARNING: All log messages before absl::InitializeLog() is called"
_NO_DRIVER = "Could not find cuda drivers on your machine"
_CUINIT = "failed call to cuInit"
_CONTINUED = ("To enable the following instructions",)  # 2nd line of cpu_feature_guard's


def _records(text: str) -> list[tuple[int | None, str]]:
    """Split ``text`` into (level, text) records: a known second line joins the record
    above it; any other line that is not a native log record has level None (kept)."""
    records: list[tuple[int | None, str]] = []
    for line in text.splitlines(keepends=True):
        match = _RECORD.match(line)
        if line.startswith(_BANNER):
            records.append((None, line))
        elif match:
            records.append((_LEVELS[match.group(1) or match.group(2)], line))
        elif records and records[-1][0] is not None and line.startswith(_CONTINUED):
            records[-1] = (records[-1][0], records[-1][1] + line)
        else:
            records.append((None, line))
    return records


def drop_chatter(text: str, min_level: int) -> str:
    """``text`` without native log records below ``min_level`` (0 info ... 3 fatal),
    without absl's banner, and without the cuInit failure of a machine that TensorFlow
    found has no CUDA driver."""
    no_driver = _NO_DRIVER in text
    kept = []
    for level, record in _records(text):
        if level is None:
            if not record.startswith(_BANNER):
                kept.append(record)
        elif level >= min_level and not (no_driver and _CUINIT in record):
            kept.append(record)
    return "".join(kept)


def _min_level() -> int:
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        return 0


@contextlib.contextmanager
def held_native_stderr():
    """Hold back what is written to file descriptor 2 meanwhile; afterwards write back
    all but the chatter (see the module docstring). Keep the block short: a crash
    inside it would leave its messages in the temporary file."""
    if debug_enabled():
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real stderr (embedded, closed)
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            try:
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = drop_chatter(held.read().decode("utf-8", "replace"), _min_level())
            if text:
                sys.stderr.write(text)
                sys.stderr.flush()


class _HeldLoader(importlib.abc.Loader):
    """Runs the real loader with native stderr held, then asks TensorFlow for its GPUs
    (where a machine without a CUDA driver logs the cuInit failure)."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = module.__spec__.loader = self.loader  # as if never wrapped
        with held_native_stderr():
            self.loader.exec_module(module)
            try:
                module.config.list_physical_devices("GPU")
            except Exception:  # noqa: BLE001 - only asked early for its log lines
                pass


class _TensorFlowImportFinder(importlib.abc.MetaPathFinder):
    """One-shot: finds ``tensorflow`` the usual way and wraps its loader."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow":
            return None
        _uninstall()
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _HeldLoader(spec.loader)
        return spec


_finder = _TensorFlowImportFinder()


def _uninstall() -> None:
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)


def hold_tensorflow_start_up() -> None:
    """Whenever TensorFlow is first imported in this process (directly or by Keras),
    hold back its start-up chatter (:func:`held_native_stderr`). Imports nothing now,
    so commands still fail fast, before TensorFlow loads, on bad input."""
    if "tensorflow" in sys.modules or debug_enabled() or _finder in sys.meta_path:
        return
    sys.meta_path.insert(0, _finder)
