"""An exclusive lock on a run directory, held for the whole of ``cgtk train`` and
``cgtk train --resume``.

The lock is an OS file lock (``flock``) on ``RUN_DIR/.lock``, which also holds the PID
of the process that took it. The operating system releases it when that process ends,
however it ends: a ``kill -9`` or a crash never leaves a stale lock. A second command
that wants to write the same run is refused with one line naming the holder's PID.

Readers (``cgtk infer``, ``eval``, ``export``) take no lock: every file they read is
written to a temporary name and renamed into place, so they see the previous complete
file or the new complete one, never half of one.

The lock file itself is never deleted (deleting a lock file lets two processes lock
two different files of the same name).

>>> import tempfile
>>> run = tempfile.mkdtemp()
>>> with RunLock(run) as lock:
...     lock.holder() == os.getpid()
True
"""
from __future__ import annotations

import errno
import os
import time
from pathlib import Path

from cgtk.errors import CgtkError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock (see docs/files.md)
    fcntl = None

LOCK_NAME = ".lock"


class RunLocked(CgtkError):
    """Another process holds the run directory's lock."""

    def __init__(self, run: Path, pid: int | None):
        who = f"PID {pid}" if pid else "a process that is still starting"
        super().__init__(f"{run} is in use by another cgtk command ({who})",
                         hint="wait for it to finish or stop it; two commands writing one "
                         "run would mix their checkpoints and logs")
        self.run, self.pid = run, pid


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


class RunLock:
    """``flock(LOCK_EX | LOCK_NB)`` on ``RUN_DIR/.lock``; :meth:`acquire` raises
    :class:`RunLocked` if another process holds it."""

    def __init__(self, run_dir):
        self.run = Path(run_dir)
        self.path = self.run / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> RunLock:
        if self._fd is not None:
            return self
        if fcntl is None:  # pragma: no cover - no OS lock on this platform
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            pid = _read_pid(fd)
            for _ in range(20):  # the holder writes its PID right after locking
                if pid:
                    break
                time.sleep(0.05)
                pid = _read_pid(fd)
            os.close(fd)
            raise RunLocked(self.run, pid) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # no PID left behind for a reader to misread
        except OSError:
            pass
        os.close(fd)  # closing the descriptor releases the flock

    def holder(self) -> int | None:
        """The PID holding the lock, or None when nobody does."""
        if self._fd is not None:
            return os.getpid()
        if fcntl is None or not self.path.exists():  # pragma: no cover
            return None
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return _read_pid(fd) or -1
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> bool:
        self.release()
        return False

    def __del__(self):  # a forgotten lock is released with its object
        try:
            self.release()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
