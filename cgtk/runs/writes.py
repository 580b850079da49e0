"""A failed write (disk full, file-size limit, permission denied) as one line.

Everything cgtk writes into a run goes to a temporary name first and is renamed into
place, so a failed write leaves the previous file intact. :func:`writing` turns the
``OSError`` into :class:`WriteFailed`, a :class:`~cgtk.errors.CgtkError` naming the file
and the errno, after removing the temporary files it was given.

>>> import errno
>>> try:
...     with writing("run/losses.png"):
...         raise OSError(errno.ENOSPC, "No space left on device")
... except WriteFailed as err:
...     print(err.message)
cannot write run/losses.png: [Errno 28 ENOSPC] No space left on device
"""
from __future__ import annotations

import errno
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from cgtk.errors import CgtkError


class WriteFailed(CgtkError):
    """Writing ``path`` failed with ``error`` (an OSError); nothing was replaced."""

    def __init__(self, path, error: OSError, *, hint: str | None = None):
        code = error.errno
        name = errno.errorcode.get(code, "") if code is not None else ""
        tag = f"[Errno {code} {name}]" if name else f"[Errno {code}]"
        reason = error.strerror or str(error)
        super().__init__(f"cannot write {path}: {tag} {reason}",
                         hint=hint or "free some disk space, raise the file-size limit or "
                         "fix the folder's permissions, then run the command again")
        self.path, self.error, self.errno = Path(path), error, code


def remove_quietly(*paths) -> None:
    """Remove files or folders, ignoring every error (cleanup after a failed write)."""
    for p in paths:
        if p is None:
            continue
        p = Path(p)
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            elif p.exists() or p.is_symlink():
                os.unlink(p)
        except OSError:
            pass


@contextmanager
def writing(path, *, cleanup=()):
    """Run the block; an OSError in it becomes :class:`WriteFailed` naming ``path``,
    after ``cleanup`` (temporary files or folders) is removed."""
    try:
        yield
    except WriteFailed:
        remove_quietly(*cleanup)
        raise
    except OSError as err:
        remove_quietly(*cleanup)
        raise WriteFailed(path, err) from err
