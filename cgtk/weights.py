"""Where pretrained weight files come from: a local path, an env var, caches, or a download.

Every pretrained network cgtk uses (VGG for perceptual losses, InceptionV3 for FID)
is described by a :class:`WeightFile`. :func:`resolve_weights` looks for it, in order:

1. an explicit path (from ``--set vgg_weights=PATH`` and friends);
2. the file named by the environment variable (``CGTK_VGG16_WEIGHTS``, ...);
3. ``$CGTK_HOME/weights/<filename>`` (``CGTK_HOME`` defaults to ``~/.cache/cgtk``);
4. ``$KERAS_HOME/models/<filename>`` (``KERAS_HOME`` defaults to ``~/.keras``),
   where ``keras.applications`` keeps what it downloaded;
5. a download with ``keras.utils.get_file`` into that Keras cache.

If the download fails (no network), a :class:`~cgtk.errors.CgtkError` names the URL,
the file name and the ways to supply a local copy, on one line. This module imports
Keras only when it downloads.

>>> spec = WeightFile(key="demo_weights", env="CGTK_DEMO_WEIGHTS",
...                   filename="demo.h5", url="https://example.com/demo.h5")
>>> spec.filename
'demo.h5'
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cgtk.errors import CgtkError


@dataclass(frozen=True)
class WeightFile:
    """One pretrained weight file and how a user can supply it.

    Attributes:
        key: the config key that overrides it (``--set KEY=PATH``), e.g. ``vgg_weights``.
        env: the environment variable that overrides it, e.g. ``CGTK_VGG19_WEIGHTS``.
        filename: the file name in the caches, as ``keras.applications`` names it.
        url: where it downloads from.
        file_hash: its md5/sha256 (checked by ``keras.utils.get_file`` after a download).
        description: a few words for messages ("VGG16 ImageNet weights").
    """

    key: str
    env: str
    filename: str
    url: str
    file_hash: str | None = None
    description: str = "pretrained weights"
    #: an environment variable that once named this file but is no longer read (it was
    #: ambiguous); setting it is an error that says which variable to use instead.
    retired_env: str | None = None
    #: the value of ``key`` that builds the network with random weights instead (smoke
    #: tests and benchmarks: the same FLOPs, not the paper's loss), named in the offline
    #: message; None where there is no such value (FID's InceptionV3).
    random_value: str | None = None


def cgtk_home() -> Path:
    """``$CGTK_HOME``, default ``~/.cache/cgtk`` (read at call time)."""
    return Path(os.environ.get("CGTK_HOME") or Path.home() / ".cache" / "cgtk").expanduser()


def keras_home() -> Path:
    """``$KERAS_HOME``, default ``~/.keras`` (read at call time, unlike Keras itself)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()


def cache_locations(spec: WeightFile) -> list[Path]:
    """The cache files checked before a download, in order."""
    return [cgtk_home() / "weights" / spec.filename, keras_home() / "models" / spec.filename]


def find_weights(spec: WeightFile, path: str | os.PathLike | None = None) -> Path | None:
    """The local weight file to use, or None when it must be downloaded.

    An explicit ``path`` or the env var that names a missing file is an error,
    not a silent fall-back to the caches.
    """
    if path is not None and str(path) != "":
        p = Path(path).expanduser()
        if not p.is_file():
            raise CgtkError(f"{spec.key}={path}: no such file",
                            hint=f"point --set {spec.key}=PATH at a copy of {spec.filename}")
        return p
    env = os.environ.get(spec.env)
    if not env and spec.retired_env and os.environ.get(spec.retired_env):
        raise CgtkError(f"{spec.retired_env} is no longer read: it named one file for "
                        "VGG16 and VGG19 alike",
                        hint=f"set {spec.env}=PATH for the {spec.description} "
                             f"({spec.filename}) instead, and unset {spec.retired_env}")
    if env:
        p = Path(env).expanduser()
        if not p.is_file():
            raise CgtkError(f"{spec.env}={env}: no such file",
                            hint=f"point {spec.env} at a copy of {spec.filename}, or unset it")
        return p
    for p in cache_locations(spec):
        if p.is_file():
            return p
    return None


def how_to_supply(spec: WeightFile) -> str:
    """One line: where to put the file by hand."""
    home, keras_dir = cache_locations(spec)
    where = (f"get {spec.filename} from {spec.url} and put it in {home.parent}/ or "
             f"{keras_dir.parent}/, or pass --set {spec.key}=PATH, or set {spec.env}=PATH")
    if spec.random_value is not None:
        where += (f"; --set {spec.key}={spec.random_value} uses random weights instead "
                  "(for smoke tests and benchmarks, not for training a real model)")
    return where


def download_weights(spec: WeightFile) -> Path:
    """Download ``spec`` into ``$KERAS_HOME/models/``; a failure is a one-line CgtkError."""
    import keras  # only when downloading

    try:
        got = keras.utils.get_file(spec.filename, spec.url, cache_subdir="models",
                                   file_hash=spec.file_hash, cache_dir=str(keras_home()))
    except Exception as err:  # keras raises a bare Exception("URL fetch failure on ...")
        cause = " ".join(str(err).split())[:200]
        raise CgtkError(f"cannot download {spec.description} ({spec.filename}) from "
                        f"{spec.url}: {cause}", hint=how_to_supply(spec)) from err
    return Path(got)


def resolve_weights(spec: WeightFile, path: str | os.PathLike | None = None, *,
                    download: bool = True) -> Path:
    """The weight file for ``spec``: local override, env var, caches, then a download.

    Args:
        spec: which file.
        path: an explicit local file (``--set KEY=PATH``); must exist.
        download: try ``keras.utils.get_file`` when no local copy exists; if False,
            a missing file is a CgtkError right away.
    """
    found = find_weights(spec, path)
    if found is not None:
        return found
    if not download:
        raise CgtkError(f"no local copy of {spec.description} ({spec.filename})",
                        hint=how_to_supply(spec))
    return download_weights(spec)


def load_weights_into(model, path, spec: WeightFile, network: str) -> None:
    """``model.load_weights(path)`` (weights only, never a pickled or whole model); a
    file of another network or format becomes one CgtkError naming what is expected."""
    try:
        model.load_weights(str(path))
    except Exception as err:
        raise CgtkError(f"cannot load {network} weights from {path}: "
                        f"{' '.join(str(err).split())[:200]}",
                        hint=f"it must be {spec.filename}, or the weights of a {network} "
                        "without its top saved as .weights.h5") from err
