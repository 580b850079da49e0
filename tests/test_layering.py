"""The layering contracts in .importlinter hold: plugins see only cgtk's public API and
Keras, the mechanisms never import the CLI, and torch stays test-only."""
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import REPO


def test_import_linter_contracts_are_kept():
    exe = str(Path(sys.executable).parent / "lint-imports")
    exe = exe if Path(exe).exists() else shutil.which("lint-imports")
    result = subprocess.run([exe, "--no-cache", str(REPO / ".importlinter")], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
