"""Run directories and checkpoints: everything a run writes, and resume."""
from cgtk.runs.checkpoint import CheckpointError, CheckpointManager, CheckpointMismatch
from cgtk.runs.lock import RunLock, RunLocked
from cgtk.runs.rundir import RunDir, check_new_run_dir, default_run_dir, is_run_dir
from cgtk.runs.writes import WriteFailed, writing

__all__ = ["CheckpointError", "CheckpointManager", "CheckpointMismatch", "RunDir",
           "RunLock", "RunLocked", "WriteFailed", "check_new_run_dir", "default_run_dir",
           "is_run_dir", "writing"]
