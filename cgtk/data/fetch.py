"""Download and unpack known datasets into ``$CGTK_HOME/datasets/NAME``.

Downloads go to ``FILE.part`` and resume with an HTTP ``Range`` request when
interrupted; the finished file is checked against its sha256 (or size) before it
is extracted safely (:mod:`cgtk.data.extract`). A marker file records a complete
dataset. Without network the error is one line: the URL, and the folder to put
the files in by hand (the archive, or its extracted contents).

>>> import os; os.environ["CGTK_HOME"] = "/tmp/cgtk-doc"
>>> str(dataset_folder("facades"))
'/tmp/cgtk-doc/datasets/facades'
"""
from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from cgtk._version import __version__
from cgtk.data import known
from cgtk.data.extract import safe_extract
from cgtk.data.home import datasets_dir
from cgtk.errors import CgtkError

MARKER = ".cgtk-complete.json"
CHUNK = 1 << 20


def dataset_folder(name: str, root: str | Path | None = None) -> Path:
    """Where dataset ``name`` lives: ``ROOT/NAME`` (ROOT: ``$CGTK_HOME/datasets``)."""
    return Path(root).expanduser() / name if root else datasets_dir() / name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, *, sha256: str | None = None, size: int | None = None) -> None:
    """Raise CgtkError (and delete the file) when ``path`` fails its size or sha256 check."""
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        path.unlink()
        raise CgtkError(f"{path.name}: size {actual_size} bytes, expected {size}; deleted it",
                        hint="fetch again")
    if sha256 is not None:
        actual = sha256_of(path)
        if actual != sha256.lower():
            path.unlink()
            raise CgtkError(f"{path.name}: sha256 {actual} does not match the expected {sha256}; "
                            "deleted it", hint="fetch again; if it persists the file changed "
                            "upstream")


def _offline(url: str, folder: Path, reason) -> CgtkError:
    return CgtkError(f"cannot download {url} ({reason}); download it by hand and put it "
                     f"(or its extracted contents) in {folder}")


def _progress(enabled: bool, name: str, total, start):
    """Bytes with speed and ETA on a terminal; plain lines in a log (cgtk.progress)."""
    from cgtk.progress import ProgressBar

    return ProgressBar(name, total=total, completed=start, unit="bytes", transient=False,
                       enabled=enabled)


def download(url: str, dest: str | Path, *, sha256: str | None = None, size: int | None = None,
             progress: bool = True, timeout: float = 30.0, folder: Path | None = None) -> Path:
    """Download ``url`` to ``dest``, resuming ``dest.part`` if present; verify; return ``dest``.

    ``folder`` is named in the offline error as the place for a hand download
    (default: ``dest``'s folder).
    """
    dest = Path(dest)
    folder = folder or dest.parent
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    start = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": f"cgtk/{__version__}"}
    if start:
        headers["Range"] = f"bytes={start}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                          timeout=timeout)
    except urllib.error.HTTPError as err:
        if err.code == 416 and start:  # the part is already complete
            part.replace(dest)
            verify(dest, sha256=sha256, size=size)
            return dest
        raise _offline(url, folder, f"HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", None) or err
        raise _offline(url, folder, reason) from None
    with response:
        status = getattr(response, "status", 200)
        resumed = bool(start) and status == 206
        if not resumed:
            start = 0
        length = response.headers.get("Content-Length")
        total = start + int(length) if length and length.isdigit() else size
        with open(part, "ab" if resumed else "wb") as f, \
                _progress(progress, dest.name, total, start) as bar:
            done = start
            try:
                while block := response.read(CHUNK):
                    f.write(block)
                    done += len(block)
                    bar.update(completed=done)
            except (TimeoutError, OSError) as err:
                raise CgtkError(f"download of {url} interrupted after {done} bytes ({err}); "
                                f"run the command again to resume") from None
    if total is not None and done < total:
        raise CgtkError(f"download of {url} stopped at {done} of {total} bytes; "
                        "run the command again to resume")
    part.replace(dest)
    verify(dest, sha256=sha256, size=size)
    return dest


def layout_root(folder: Path, entry: known.KnownDataset) -> Path:
    """The folder holding the layout inside a fetched dataset folder.

    ``entry.subdir`` when present; else descend through folders that contain only
    one sub-folder (and no images).
    """
    from cgtk.data.layouts import list_images

    if entry.subdir and (folder / entry.subdir).is_dir():
        return folder / entry.subdir
    current = folder
    while True:
        subdirs = [p for p in current.iterdir() if p.is_dir() and not p.name.startswith(".")]
        if len(subdirs) != 1 or list_images(current):
            return current
        current = subdirs[0]


def is_fetched(name: str, root: str | Path | None = None) -> bool:
    return (dataset_folder(name, root) / MARKER).is_file()


def fetch(name: str, root: str | Path | None = None, *, progress: bool = True,
          force: bool = False) -> Path:
    """Make dataset ``name`` available locally; return the folder holding its layout.

    Already fetched (marker present) returns at once. An archive put in the folder
    by hand is verified and extracted; an extracted layout put there by hand is used
    as is. Otherwise each archive is downloaded (resuming), verified, extracted and
    deleted.
    """
    from cgtk.data.layouts import detect_layout

    entry = known.get(name)
    folder = dataset_folder(entry.name, root)
    if (folder / MARKER).is_file() and not force:
        return layout_root(folder, entry)
    archives = [folder / d.filename for d in entry.downloads]
    if folder.is_dir() and not any(a.exists() for a in archives):
        try:  # extracted by hand
            detect_layout(layout_root(folder, entry), entry.kind)
            return layout_root(folder, entry)
        except CgtkError:
            if entry.manual:
                raise CgtkError(f"dataset {entry.name!r} in {folder} does not have the expected "
                                f"layout; {entry.manual.replace('FOLDER', str(folder))}") from None
    if entry.manual:
        raise CgtkError(f"dataset {entry.name!r} cannot be downloaded automatically: "
                        f"{entry.manual.replace('FOLDER', str(folder))}")
    folder.mkdir(parents=True, exist_ok=True)
    for spec, archive in zip(entry.downloads, archives, strict=True):
        if archive.exists():
            verify(archive, sha256=spec.sha256, size=spec.size)
        else:
            download(spec.url, archive, sha256=spec.sha256, size=spec.size,
                     progress=progress, folder=folder)
    for archive in archives:
        safe_extract(archive, folder)
        archive.unlink()
    (folder / MARKER).write_text(json.dumps({
        "name": entry.name, "urls": [d.url for d in entry.downloads],
        "fetched": time.strftime("%Y-%m-%dT%H:%M:%S"), "cgtk": __version__}))
    return layout_root(folder, entry)
