"""The layering contracts in .importlinter hold: plugins see only cgtk's public API and
Keras, the mechanisms never import the CLI, and torch stays test-only."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import REPO


def test_import_linter_contracts_are_kept():
    exe = str(Path(sys.executable).parent / "lint-imports")
    exe = exe if Path(exe).exists() else shutil.which("lint-imports")
    example = REPO / "examples" / "cgtk-plugin-example"  # cgtk_example, the example plugin
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(example), os.environ.get("PYTHONPATH", "")) if p)}
    result = subprocess.run([exe, "--no-cache", str(REPO / ".importlinter")], cwd=REPO,
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
