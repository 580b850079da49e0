"""Safe extraction of zip and tar archives.

Every member is checked before anything is written: absolute paths, drive
letters, ``..`` components, links pointing outside the destination, and device
or FIFO entries make the whole archive a :class:`cgtk.CgtkError`. Extraction goes
to a temporary folder inside the destination and is moved into place at the end.

>>> import io, zipfile, tempfile, pathlib
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> with zipfile.ZipFile(tmp / "ok.zip", "w") as z:
...     z.writestr("data/a.txt", "hi")
>>> [p.name for p in safe_extract(tmp / "ok.zip", tmp / "out")]
['data']
"""
from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
from pathlib import Path

from cgtk.errors import CgtkError


def _unsafe_name(name: str) -> str | None:
    """Why a member name is unsafe, or None."""
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return "absolute path"
    if ".." in normal.split("/"):
        return "'..' in the path"
    return None


def _outside(member: str, target: str, *, relative_to_member: bool) -> bool:
    """Whether link ``target`` of ``member`` resolves outside the archive root."""
    target = target.replace("\\", "/")
    if target.startswith("/") or (len(target) > 1 and target[1] == ":"):
        return True
    base = posixpath.dirname(member.replace("\\", "/")) if relative_to_member else ""
    resolved = posixpath.normpath(posixpath.join(base, target))
    return resolved == ".." or resolved.startswith("../")


def _refuse(archive: Path, name: str, why: str) -> CgtkError:
    return CgtkError(f"{archive}: unsafe archive member {name!r} ({why}); refusing to extract",
                     hint="the archive may be corrupt or malicious; delete it")


def check_zip(archive: Path, zf: zipfile.ZipFile) -> None:
    for info in zf.infolist():
        why = _unsafe_name(info.filename)
        if why:
            raise _refuse(archive, info.filename, why)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            target = zf.read(info).decode("utf-8", "replace")
            if _outside(info.filename, target, relative_to_member=True):
                raise _refuse(archive, info.filename, f"link to {target!r} outside the archive")


def check_tar(archive: Path, tf: tarfile.TarFile) -> None:
    for member in tf.getmembers():
        why = _unsafe_name(member.name)
        if why:
            raise _refuse(archive, member.name, why)
        if member.issym() and _outside(member.name, member.linkname, relative_to_member=True):
            raise _refuse(archive, member.name, f"link to {member.linkname!r} outside the archive")
        if member.islnk() and _outside(member.name, member.linkname, relative_to_member=False):
            raise _refuse(archive, member.name, f"link to {member.linkname!r} outside the archive")
        if member.ischr() or member.isblk() or member.isfifo():
            raise _refuse(archive, member.name, "device or FIFO entry")


def archive_type(path: Path) -> str | None:
    """``"zip"``, ``"tar"`` or None, by content."""
    if zipfile.is_zipfile(path):
        return "zip"
    try:
        if tarfile.is_tarfile(path):
            return "tar"
    except OSError:
        pass
    return None


def safe_extract(archive: str | Path, dest: str | Path) -> list[Path]:
    """Check then extract ``archive`` (zip or tar, any compression) into ``dest``.

    Returns the top-level entries created in ``dest``. Existing entries of the same
    name are replaced.
    """
    archive, dest = Path(archive), Path(dest)
    kind = archive_type(archive)
    if kind is None:
        raise CgtkError(f"{archive}: not a zip or tar archive (or it is damaged)",
                        hint="delete it and fetch again")
    dest.mkdir(parents=True, exist_ok=True)
    staging = dest / f".extracting-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        try:
            if kind == "zip":
                with zipfile.ZipFile(archive) as zf:
                    check_zip(archive, zf)
                    zf.extractall(staging)
            else:
                with tarfile.open(archive, "r:*") as tf:
                    check_tar(archive, tf)
                    if hasattr(tarfile, "data_filter"):
                        tf.extractall(staging, filter="data")
                    else:  # pragma: no cover - Python without extraction filters
                        tf.extractall(staging)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as err:
            if isinstance(err, CgtkError):
                raise
            raise CgtkError(f"{archive}: cannot extract: {err}",
                            hint="the archive is damaged; delete it and fetch again") from None
        created = []
        for entry in sorted(staging.iterdir()):
            target = dest / entry.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            os.replace(entry, target)
            created.append(target)
        return created
    finally:
        shutil.rmtree(staging, ignore_errors=True)
