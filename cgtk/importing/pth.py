"""Read ``torch.save`` zip files (``.pth``/``.pt``) without torch and without running code.

A ``torch.save`` file is a zip archive: ``ARCHIVE/data.pkl`` (a pickle of the state
dict) and ``ARCHIVE/data/KEY`` (the raw bytes of each storage). The pickle is read by
:class:`RestrictedUnpickler`, whose allow-list is the few globals a tensor state dict
needs (the same idea as ``torch.load(weights_only=True)``):

- ``collections.OrderedDict``;
- ``torch._utils._rebuild_tensor_v2`` and ``torch._utils._rebuild_parameter``
  (rebuilt here as numpy arrays);
- ``torch.FloatStorage`` and the other typed storages (only as dtype markers of the
  persistent storage references).

Any other global (``os.system``, ``builtins.eval``, a class with ``__reduce__``...) is a
:class:`~cgtk.errors.CgtkError` naming it, raised before anything is called. A legacy
(pre-1.6, non-zip) torch file, a zip without ``data.pkl`` and a truncated file are
one-line errors too.

>>> import io, pickle, zipfile, tempfile, pathlib, collections
>>> path = pathlib.Path(tempfile.mkdtemp()) / "empty.pth"
>>> with zipfile.ZipFile(path, "w") as z:
...     z.writestr("archive/data.pkl", pickle.dumps(collections.OrderedDict(), protocol=2))
>>> read_pth(path)
OrderedDict()
"""
from __future__ import annotations

import collections
import io
import pickle
import zipfile
from pathlib import Path

import numpy as np

from cgtk.errors import CgtkError

_STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "BFloat16Storage": "bfloat16", "LongStorage": np.int64, "IntStorage": np.int32,
    "ShortStorage": np.int16, "CharStorage": np.int8, "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class _StorageType:
    """Stands in for ``torch.FloatStorage`` & co.: only its dtype is used."""

    def __init__(self, name: str):
        self.name = name
        self.dtype = _STORAGE_DTYPES[name]


class _Storage:
    def __init__(self, array: np.ndarray):
        self.array = array


def _bytes_to_array(raw: bytes, dtype, byteorder: str) -> np.ndarray:
    if dtype == "bfloat16":  # numpy has no bfloat16: widen to float32 exactly
        half = np.frombuffer(raw, dtype=np.dtype("<u2" if byteorder == "little" else ">u2"))
        return (half.astype(np.uint32) << 16).view(np.float32)
    dt = np.dtype(dtype).newbyteorder("<" if byteorder == "little" else ">")
    return np.frombuffer(raw, dtype=dt).astype(np.dtype(dtype), copy=False)


def _rebuild_tensor(storage, storage_offset, size, stride, *_ignored):
    if not isinstance(storage, _Storage):
        raise _Malformed("a tensor whose storage is not a storage reference")
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    base = storage.array
    if len(size) != len(stride):
        raise _Malformed("a tensor with mismatched size and stride")
    if 0 in size:
        return np.zeros(size, dtype=base.dtype)
    last = int(storage_offset) + sum((n - 1) * s for n, s in zip(size, stride))
    if storage_offset < 0 or min(stride, default=0) < 0 or last >= base.size:
        raise _Malformed("a tensor that reaches past the end of its storage")
    item = base.itemsize
    view = np.lib.stride_tricks.as_strided(base[int(storage_offset):], shape=size,
                                           strides=tuple(s * item for s in stride))
    return np.array(view)  # a contiguous copy, independent of the storage bytes


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None, *_ignored):
    return data


_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
}


class _Malformed(Exception):
    pass


class _Refused(Exception):
    pass


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the allow-listed globals (see the module doc).

    ``load_storage(key, dtype, numel)`` returns the numpy array of one storage.
    """

    def __init__(self, file, load_storage):
        super().__init__(file)
        self._load_storage = load_storage
        self._storages: dict[str, _Storage] = {}

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise _Refused(f"{module}.{name}")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise _Malformed(f"an unknown persistent reference {str(pid)[:60]}")
        _, storage_type, key, _location, numel = pid
        key = str(key)
        if key not in self._storages:
            array = self._load_storage(key, storage_type.dtype)
            if array.size < int(numel):
                raise _Malformed(f"storage {key} holds {array.size} values, not {numel}")
            self._storages[key] = _Storage(array)
        return self._storages[key]


def _is_legacy_torch(head: bytes) -> bool:
    # The pre-1.6 format starts with a pickled magic number (protocol 2, LONG1).
    return head[:2] == b"\x80\x02" and head[2:3] in (b"\x8a", b"K", b"M", b"J")


def read_pth(path) -> object:
    """The unpickled content of a ``torch.save`` zip file, tensors as numpy arrays.

    Raises :class:`~cgtk.errors.CgtkError` (one line, naming ``path``) for a refused
    global, a legacy non-zip torch file, a zip without ``data.pkl``, a truncated or
    corrupt file, or anything that is not a torch zip file.
    """
    path = Path(path)
    try:
        head = _head(path)
    except OSError as err:
        raise CgtkError(f"{path}: cannot read ({err.strerror or err})") from None
    if not zipfile.is_zipfile(path):
        if _is_legacy_torch(head):
            raise CgtkError(f"{path}: a legacy (pre-1.6, non-zip) torch file; cgtk reads only "
                            "torch.save's zip format",
                            hint="re-save it with torch.save(torch.load(f), f) in torch >= 1.6")
        if head[:2] == b"PK":
            raise CgtkError(f"{path}: a truncated or corrupt zip file",
                            hint="download it again")
        raise CgtkError(f"{path}: not a PyTorch weights file (not a torch.save zip archive)",
                        hint="pass a .pth/.pt state dict saved by torch.save, or a "
                        ".safetensors file")
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_archive(path, archive)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
        raise CgtkError(f"{path}: a truncated or corrupt torch file ({err})",
                        hint="download it again") from None


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(8)


def _read_archive(path: Path, archive: zipfile.ZipFile):
    names = archive.namelist()
    pickles = [n for n in names if n == "data.pkl" or n.endswith("/data.pkl")]
    if not pickles:
        raise CgtkError(f"{path}: a zip file without data.pkl, so not a torch.save file",
                        hint="pass a .pth state dict saved by torch.save")
    pkl = min(pickles, key=len)
    prefix = pkl[: -len("data.pkl")]
    byteorder = "little"
    if f"{prefix}byteorder" in names:
        byteorder = archive.read(f"{prefix}byteorder").decode("ascii", "replace").strip()
    members = set(names)

    def load_storage(key: str, dtype) -> np.ndarray:
        member = f"{prefix}data/{key}"
        if member not in members:
            raise _Malformed(f"storage {member} is missing from the archive")
        return _bytes_to_array(archive.read(member), dtype, byteorder)

    try:
        return RestrictedUnpickler(io.BytesIO(archive.read(pkl)), load_storage).load()
    except _Refused as err:
        raise CgtkError(f"{path}: refused: its pickle needs the global {err}, which is not "
                        "a tensor type; cgtk never runs code from a weights file",
                        hint="only state dicts of tensors can be imported") from None
    except _Malformed as err:
        raise CgtkError(f"{path}: a malformed torch file ({err})") from None
    except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, IndexError,
            KeyError, ValueError) as err:
        raise CgtkError(f"{path}: a corrupt torch file: its data.pkl cannot be read "
                        f"({type(err).__name__}: {str(err)[:80]})") from None
