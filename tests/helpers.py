"""Test helpers: fake installed distributions, subprocess runs of Python and the CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"


def make_distribution(root: Path, name: str, entry_points: dict[str, str], *,
                      version: str = "1.0", modules: dict[str, str] | None = None) -> Path:
    """An installed distribution on ``root`` (a sys.path entry): a ``.dist-info``
    folder with METADATA and ``cgtk.plugins`` entry points, plus module files."""
    root.mkdir(parents=True, exist_ok=True)
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = ["[cgtk.plugins]"] + [f"{k} = {v}" for k, v in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for rel, code in (modules or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
    return root


def toy_distribution(root: Path) -> Path:
    """The tiny test plugin (tests/toyplugin) registered as 'toy'."""
    return make_distribution(root, "cgtk-toyplugin", {"toy": "toyplugin:plugin"})


def env_with(paths=(), **extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, paths), str(TESTS),
                                         env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_python(code: str, *, backend: str = "tensorflow", paths=(), timeout=600, **extra):
    """Run ``code`` in a fresh interpreter with KERAS_BACKEND=backend; returns CompletedProcess."""
    env = env_with(paths, KERAS_BACKEND=backend, **extra)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


def run_cli(*args, paths=(), timeout=900, **extra):
    """Run ``cgtk ARGS`` in a subprocess (the real console entry point)."""
    env = env_with(paths, **extra)
    return subprocess.run([sys.executable, "-m", "cgtk.cli.main", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


def succeeded(result):
    """``result`` (a finished subprocess) after asserting it exited 0; the assertion shows
    the tails of its stdout and stderr."""
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


def run_cli_ok(*args, **kwargs):
    """:func:`run_cli` that must succeed."""
    return succeeded(run_cli(*args, **kwargs))


def last_json(text: str):
    """The JSON document printed last on stdout."""
    start = text.find("{") if text.lstrip().startswith("{") else text.find("[")
    return json.loads(text[start:])
