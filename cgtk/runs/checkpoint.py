"""Checkpoints that hold the full training state and survive a crash mid-write.

A checkpoint is a folder ``checkpoints/step-000001234/`` with

* ``state.npz``: every variable of the model (networks, batch-norm statistics,
  image pools, ``SeedGenerator`` states: randomness is state too) and of every
  phase's optimizer (slots, iteration count, which also positions the
  learning-rate schedule, and the loss scale under ``mixed_float16``);
* ``meta.json``: epoch, step, global step, whether the run finished, and the
  variable paths, checked on restore so a checkpoint is never loaded into a
  different architecture.

Arrays are plain NumPy, keyed by position, so a checkpoint written on one
backend restores on the other. Writing goes to a hidden temporary folder that
is renamed into place: a crash mid-write leaves the previous checkpoint
intact. If the newest checkpoint cannot be read, :meth:`restore_latest` falls
back to the one before and warns.
"""
from __future__ import annotations

import json
import os
import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np

from cgtk.runs.writes import writing

PREFIX = "step-"


def state_variables(model) -> list[tuple[str, list]]:
    """Named groups of every variable that makes up the training state."""
    groups = [("model", list(model.variables))]
    for phase, optimizer in zip(model.training_phases, model.phase_optimizers):
        groups.append((f"optimizer:{phase.name}", list(optimizer.variables)))
    return groups


def _to_numpy(value):
    """The host copy of a variable's value (the backend module's ``to_numpy``: on JAX, a
    replicated array of a multi-process run is read from this process's copy)."""
    from cgtk.engine import backend

    return backend.current().to_numpy(value)


def _checkpoint_step(path: Path) -> int:
    return int(path.name[len(PREFIX):])


class CheckpointError(Exception):
    """A checkpoint that cannot be read (damaged or incomplete); ``file`` is the file at
    fault when one is."""

    def __init__(self, message: str, file: Path | None = None):
        super().__init__(message)
        self.file = file


class CheckpointMismatch(CheckpointError):
    """A readable checkpoint of another architecture or config: never skipped silently."""


class CheckpointManager:
    """Write, list, prune and restore the checkpoints under ``root``.

    >>> import tempfile
    >>> manager = CheckpointManager(tempfile.mkdtemp(), keep=2)
    >>> manager.list()
    []
    """

    def __init__(self, root, keep: int = 3):
        self.root = Path(root)
        self.keep = max(1, int(keep))
        self.root.mkdir(parents=True, exist_ok=True)

    def list(self) -> list[Path]:
        """Complete checkpoints, oldest first."""
        found = [p for p in self.root.iterdir()
                 if p.is_dir() and p.name.startswith(PREFIX) and p.name[len(PREFIX):].isdigit()]
        return sorted(found, key=_checkpoint_step)

    def latest(self) -> Path | None:
        items = self.list()
        return items[-1] if items else None

    # ------------------------------------------------------------ writing ---

    def save(self, model, meta: dict) -> Path:
        """Write the state atomically as ``step-<global_step>``; prune old ones."""
        step = int(meta["global_step"])
        final = self.root / f"{PREFIX}{step:09d}"
        tmp = self.root / f".tmp-{PREFIX}{step:09d}-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        arrays, paths = {}, {}
        for group, variables in state_variables(model):
            paths[group] = [v.path for v in variables]
            for i, v in enumerate(variables):
                arrays[f"{group}/{i:05d}"] = _to_numpy(v.value)
        record = {**meta, "variables": paths}
        # a failed write (disk full, EFBIG, EACCES) is one line naming the file; the
        # temporary folder goes, the previous checkpoints stay as they are
        with writing(final / "state.npz", cleanup=[tmp]):
            tmp.mkdir(parents=True)
            with open(tmp / "state.npz", "wb") as fh:
                np.savez(fh, **arrays)
                fh.flush()
                os.fsync(fh.fileno())
        with writing(final / "meta.json", cleanup=[tmp]):
            (tmp / "meta.json").write_text(json.dumps(record, indent=1, default=str))
        with writing(final, cleanup=[tmp]):
            if final.exists():  # the same step saved twice (epoch end == checkpoint_every)
                shutil.rmtree(final)
            os.replace(tmp, final)
        self._fsync_dir()
        self.prune()
        return final

    def _fsync_dir(self):
        try:
            fd = os.open(self.root, os.O_RDONLY)
        except OSError:  # pragma: no cover - platforms without directory fds
            return
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def prune(self) -> None:
        for old in self.list()[:-self.keep]:
            shutil.rmtree(old, ignore_errors=True)
        for tmp in self.root.glob(f".tmp-{PREFIX}*"):
            if not _pid_alive(tmp.name.rsplit("-", 1)[-1]):
                shutil.rmtree(tmp, ignore_errors=True)

    # ---------------------------------------------------------- restoring ---

    @staticmethod
    def read_meta(path: Path) -> dict:
        try:
            return json.loads((Path(path) / "meta.json").read_text())
        except (OSError, ValueError) as err:
            raise CheckpointError(f"{path}: unreadable meta.json ({err})",
                                  Path(path) / "meta.json") from None

    def restore(self, path: Path, model) -> dict:
        """Load checkpoint ``path`` into ``model`` (and its phase optimizers)."""
        meta = self.read_meta(path)
        groups = state_variables(model)
        expected = {g: [v.path for v in vs] for g, vs in groups}
        saved = meta.get("variables", {})
        if set(saved) != set(expected):
            raise CheckpointMismatch(
                f"{path}: holds state for {sorted(saved)}, the model has {sorted(expected)}")
        for group in expected:
            if len(saved[group]) != len(expected[group]):
                raise CheckpointMismatch(
                    f"{path}: {group} has {len(saved[group])} variables, the model "
                    f"{len(expected[group])}: a different architecture or config")
        try:
            # our own handle: np.load leaks its file when a damaged zip fails to open
            with open(Path(path) / "state.npz", "rb") as fh, np.load(fh) as data:
                values = {k: data[k] for k in data.files}
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
            raise CheckpointError(f"{path}: unreadable state.npz ({err})",
                                  Path(path) / "state.npz") from None
        for group, variables in groups:
            for i, v in enumerate(variables):
                key = f"{group}/{i:05d}"
                if key not in values:
                    raise CheckpointError(f"{path}: missing {key} ({v.path})",
                                          Path(path) / "state.npz")
                if tuple(values[key].shape) != tuple(v.shape):
                    raise CheckpointMismatch(
                        f"{path}: {v.path} has shape {values[key].shape} in the checkpoint, "
                        f"{tuple(v.shape)} in the model: a different architecture or config")
        for group, variables in groups:
            for i, v in enumerate(variables):
                v.assign(values[f"{group}/{i:05d}"])
        return meta

    def restore_latest(self, model, warn=warnings.warn, skipped: list | None = None
                       ) -> dict | None:
        """Restore the newest readable checkpoint; warn about each one skipped (and
        append its :class:`CheckpointError` to ``skipped``)."""
        for path in reversed(self.list()):
            try:
                return self.restore(path, model)
            except CheckpointMismatch:
                raise
            except CheckpointError as err:
                if skipped is not None:
                    skipped.append(err)
                warn(f"skipping damaged checkpoint: {err}; trying the previous one")
        return None


def _pid_alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # pragma: no cover
        return True
    return True
