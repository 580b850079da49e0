"""Run directories and checkpoints: everything a run writes, and resume."""
from cgtk.runs.checkpoint import CheckpointError, CheckpointManager, CheckpointMismatch
from cgtk.runs.rundir import RunDir, default_run_dir

__all__ = ["CheckpointError", "CheckpointManager", "CheckpointMismatch", "RunDir",
           "default_run_dir"]
