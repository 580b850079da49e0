"""Read a weights file into ``{key: numpy array}``: ``.pth``/``.pt`` (torch.save zip,
by cgtk's restricted unpickler) or ``.safetensors`` (the ``safetensors`` numpy API).

Wrappers are unwrapped: BasicSR's ``{"params_ema": ..., "params": ...}`` (``params_ema``
first, as BasicSR's test configs), ``{"state_dict": ...}`` and ``{"model": ...}``.

>>> import tempfile, pathlib, numpy as np
>>> from safetensors.numpy import save_file
>>> path = pathlib.Path(tempfile.mkdtemp()) / "w.safetensors"
>>> save_file({"conv.weight": np.ones((2, 1, 3, 3), "float32")}, str(path))
>>> weights = read_weights(path)
>>> weights.format, list(weights.tensors), weights.tensors["conv.weight"].shape
('safetensors', ['conv.weight'], (2, 1, 3, 3))
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cgtk.errors import CgtkError
from cgtk.importing.pth import read_pth

WRAPPER_KEYS = ("params_ema", "params", "state_dict", "model")


@dataclass
class WeightsFile:
    """The tensors of one file and where they came from.

    Attributes:
        path: the file.
        format: ``"pth"`` (torch.save zip) or ``"safetensors"``.
        tensors: ``{key: float32/int numpy array}`` in file order.
        wrapper: the top-level key the state dict was found under (or None).
        sha256: hex digest of the file.
    """

    path: Path
    format: str
    tensors: dict = field(default_factory=dict)
    wrapper: str | None = None
    sha256: str = ""

    def describe(self) -> dict:
        return {"file": self.path.name, "sha256": self.sha256, "format": self.format,
                "wrapper": self.wrapper, "tensors": len(self.tensors)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_safetensors(path: Path) -> dict:
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError, TypeError) as err:
        raise CgtkError(f"{path}: not a readable .safetensors file "
                        f"({str(err).splitlines()[0][:100]})") from None


def _unwrap(path: Path, content) -> tuple[dict, str | None]:
    if not isinstance(content, dict):
        raise CgtkError(f"{path}: holds a {type(content).__name__}, not a state dict of "
                        "tensors", hint="save model.state_dict() with torch.save")
    wrapper = None
    if not any(isinstance(v, np.ndarray) for v in content.values()):
        wrapper = next((k for k in WRAPPER_KEYS if isinstance(content.get(k), dict)), None)
        if wrapper is None:
            keys = ", ".join(map(str, list(content)[:5]))
            raise CgtkError(f"{path}: holds no tensors at the top level (keys: {keys})",
                            hint=f"expected a state dict, or one under "
                            f"{' / '.join(WRAPPER_KEYS)}")
        content = content[wrapper]
    tensors = {}
    for key, value in content.items():
        if not isinstance(value, np.ndarray):
            where = f"[{wrapper!r}]" if wrapper else ""
            raise CgtkError(f"{path}{where}: entry {key!r} is a {type(value).__name__}, not a "
                            "tensor", hint="save model.state_dict() with torch.save")
        tensors[str(key)] = value
    if not tensors:
        raise CgtkError(f"{path}: the state dict is empty")
    return tensors, wrapper


def read_weights(path) -> WeightsFile:
    """Read ``path`` (``.pth``, ``.pt``, ``.bin`` torch zip or ``.safetensors``).

    No code from the file runs; see :mod:`cgtk.importing.pth`. Errors are
    :class:`~cgtk.errors.CgtkError` with one line naming the file.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise CgtkError(f"{path}: no such file")
    if path.suffix.lower() == ".safetensors":
        fmt, content = "safetensors", _read_safetensors(path)
    else:
        fmt, content = "pth", read_pth(path)
    tensors, wrapper = _unwrap(path, content)
    return WeightsFile(path=path, format=fmt, tensors=tensors, wrapper=wrapper,
                       sha256=_sha256(path))
