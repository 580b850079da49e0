"""Where ``cgtk export`` may write, and how it replaces a previous export safely.

Every export leaves a marker that names its format and what it wrote:

* a SavedModel folder holds ``.cgtk-export.json`` listing every file and folder in it;
* a file (``.keras``, ``.onnx``, ``.tflite``) gets a hidden sidecar
  ``.NAME.cgtk-export.json`` beside it, with the file's SHA-256.

``--overwrite`` replaces only a previous export of the same format that is still as
export wrote it. Refused, with or without ``--overwrite``: the current folder or one
above it, a run directory or a folder containing one, anything inside a run directory
(the run's own ``generator.keras`` among them), the source itself, and a folder or
file holding anything export did not write.

The new artifact is written under a temporary name beside the target and renamed into
place only when complete, so a failed export leaves the previous one as it was.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "g.onnx"
>>> _ = out.write_bytes(b"someone else's model")
>>> try:
...     check_target("onnx", out, overwrite=True, source=out.parent / "run")
... except Exception as err:
...     print(str(err).split(": ", 1)[1].split(",")[0])
is not a cgtk export (it has no .g.onnx.cgtk-export.json marker)
"""
from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path

from cgtk.errors import CgtkError

MARKER = ".cgtk-export.json"
TMP_PREFIX = ".cgtk-tmp-"


def _is_run(path: Path) -> bool:
    """A run directory: ``config.json`` beside ``checkpoints/`` (a project folder with a
    config.json of its own is not one)."""
    return (path / "config.json").is_file() and (path / "checkpoints").is_dir()


def marker_path(fmt: str, path: Path) -> Path:
    """The marker of an export at ``path``: inside a SavedModel folder, beside a file."""
    path = Path(path)
    if fmt == "saved_model":
        return path / MARKER
    return path.with_name(f".{path.name}{MARKER}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entries(folder: Path) -> list[str]:
    """Every file and folder under ``folder`` (relative, sorted), the marker left out."""
    out = []
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        out += [str(rel / d) for d in dirs] + [str(rel / f) for f in files]
    return sorted(p for p in out if p != MARKER)


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def _refuse(path: Path, why: str, hint: str | None = None):
    raise CgtkError(f"--output {path}: {why}", hint=hint or "choose a new path, e.g. "
                    "exported/generator (cgtk export only replaces its own earlier export)")


def check_target(fmt: str, path: Path, *, overwrite: bool, source: Path) -> None:
    """CgtkError unless exporting ``fmt`` to ``path`` loses nothing (see the module)."""
    path = Path(path)
    real = path.resolve()
    src = Path(source).expanduser().resolve()
    cwd = Path.cwd().resolve()
    if _inside(cwd, real):
        _refuse(path, "is the current folder or a folder above it")
    if _inside(src, real):
        _refuse(path, f"is or contains the source {source}")
    for folder in [real, *real.parents]:
        if folder.is_dir() and _is_run(folder):
            where = "is" if folder == real else "is inside"
            _refuse(path, f"{where} the run directory {folder}", hint="export outside run "
                    "directories, e.g. --output exported/generator")
    if real.is_dir():
        runs = [c for c in real.iterdir() if c.is_dir() and _is_run(c)]
        if runs:
            _refuse(path, f"contains the run directory {runs[0]}")
    if not (path.exists() or path.is_symlink()):
        return
    if not overwrite:
        raise CgtkError(f"--output {path} already exists",
                        hint="add --overwrite to replace a previous export of the same "
                        "format, or choose another path")
    if path.is_symlink():
        _refuse(path, "is a symbolic link; cgtk replaces only its own exports")
    if fmt == "saved_model" and not path.is_dir():
        _refuse(path, "is a file, and a SavedModel is a folder")
    if fmt != "saved_model" and path.is_dir():
        _refuse(path, f"is a folder; --format {fmt} writes one file",
                hint=f"give a file path, e.g. {path / ('generator' + path.suffix)}")
    marker = marker_path(fmt, path)
    try:
        record = json.loads(marker.read_text())
    except (OSError, ValueError):
        _refuse(path, f"is not a cgtk export (it has no {marker.name} marker), so "
                "--overwrite will not replace it")
    if record.get("format") != fmt:
        _refuse(path, f"holds a {record.get('format')} export, not {fmt}")
    if fmt == "saved_model":
        known = set(record.get("entries") or [])
        foreign = [e for e in _entries(path) if e not in known]  # deeper runs land here
        if foreign:
            _refuse(path, f"holds files export did not write ({', '.join(foreign[:3])}"
                    + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "") + ")")
    elif record.get("sha256") != _sha256(path):
        _refuse(path, "was changed since cgtk exported it, so --overwrite will not "
                "replace it")


def _write_marker(fmt: str, artifact: Path, final: Path, source: Path) -> Path:
    """Write the marker for ``artifact`` (to be renamed to ``final``); returns its path."""
    from cgtk._version import __version__

    record = {"cgtk_export": 1, "format": fmt, "name": final.name, "source": str(source),
              "cgtk_version": __version__}
    if fmt == "saved_model":
        record["entries"] = _entries(artifact)
        target = artifact / MARKER
    else:
        record["sha256"] = _sha256(artifact)
        target = marker_path(fmt, artifact)
    target.write_text(json.dumps(record, indent=1))
    return target


def _remove(path: Path) -> None:
    import shutil

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)


@contextmanager
def staged(fmt: str, path: Path, *, source: Path):
    """Yield a temporary path beside ``path`` to export to; on success the artifact and
    its marker replace ``path`` (checked beforehand by :func:`check_target`); on failure
    the temporary files go and ``path`` is untouched.

    Check parity inside the block but raise its failure after it: the artifact is then
    in place for inspection, as documented."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}")
    _remove(tmp)
    _remove(marker_path(fmt, tmp))
    keep = False
    try:
        yield tmp
        keep = True
    finally:
        if keep and tmp.exists():
            _install(fmt, tmp, path, source)
        else:
            _remove(tmp)
            _remove(marker_path(fmt, tmp))


def _install(fmt: str, tmp: Path, path: Path, source: Path) -> None:
    tmp_marker = _write_marker(fmt, tmp, path, source)
    old = path.with_name(f"{TMP_PREFIX}{os.getpid()}-old-{path.name}")
    if path.exists() or path.is_symlink():
        os.replace(path, old)
    os.replace(tmp, path)
    if fmt != "saved_model":
        os.replace(tmp_marker, marker_path(fmt, path))
    _remove(old)
