"""Shared fixtures. Real images come from ``../shared/data`` beside the checkout
(or ``CGTK_SHARED_DATA``); a test that needs them fails loudly if they are missing."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/helpers.py, tests/toyplugin

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from helpers import REPO, toy_distribution  # noqa: E402


def _share_jax_compilations() -> None:
    """One JAX persistent compilation cache for the whole test session: this process,
    the xdist workers (they inherit the environment of the controller, which loads this
    file first) and every subprocess they start. JAX compiles each eager op per shape
    (a Keras variable initialiser, ~0.2-0.8 s each) and each train step again in every
    process; the same programs recur across a session's runs (train, then --resume;
    kill -9, then resume), and a cache hit loads the same executable, so results are
    bit for bit those of a fresh compile. A fresh folder per session (removed at exit by
    the process that made it), so nothing carries over from a previous session.
    ``JAX_COMPILATION_CACHE_DIR`` set beforehand is used as it is; ``CGTK_TEST_NO_JAX_CACHE=1``
    turns the cache off."""
    import atexit
    import shutil
    import tempfile

    if os.environ.get("CGTK_TEST_NO_JAX_CACHE") or os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return
    folder = tempfile.mkdtemp(prefix="cgtk-test-jax-cache-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["JAX_COMPILATION_CACHE_DIR"] = folder
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")  # default 1 s
    # a size limit turns on JAX's file lock, so two workers never read a half-written entry
    os.environ.setdefault("JAX_COMPILATION_CACHE_MAX_SIZE", str(8 << 30))


_share_jax_compilations()


def _quick_xla_compiles() -> None:
    """Compile XLA programs (JAX, and TensorFlow's ``jit_compile``) with LLVM at -O0 in the
    test session and its subprocesses. The tests' networks are tiny, so compiling, not
    running, is what their JAX runs spend time on: -O0 took the ESRGAN ``check_plugin`` on
    JAX from 66 s to 41 s, and the CUT learning test on JAX from 51 s to 38 s. The HLO
    graph and its fusions are the same, and no fast-math is turned on, so each op still
    computes what it computes at -O2. The parity, resume and learning tests keep their
    tolerances. ``XLA_FLAGS`` set beforehand is kept, and
    ``CGTK_TEST_XLA_FULL_OPT=1`` turns this off."""
    if os.environ.get("CGTK_TEST_XLA_FULL_OPT"):
        return
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_backend_optimization_level" not in flags:
        os.environ["XLA_FLAGS"] = (flags + " --xla_backend_optimization_level=0").strip()


_quick_xla_compiles()


def shared_data_dir() -> Path:
    return Path(os.environ.get("CGTK_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "README.md").exists():
        pytest.fail(f"the shared real images are missing: expected them in {path} "
                    "(set CGTK_SHARED_DATA to their folder)")
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Keep CGTK_HOME (datasets, weights) out of the user's cache during tests."""
    if not os.environ.get("CGTK_TEST_KEEP_HOME"):
        monkeypatch.setenv("CGTK_HOME", str(tmp_path_factory.getbasetemp() / "cgtk-home"))


@pytest.fixture(scope="session")
def toy_site(tmp_path_factory) -> Path:
    """A sys.path entry holding the 'toy' plugin's distribution metadata."""
    root = toy_distribution(tmp_path_factory.mktemp("toy-site"))
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return root


def pytest_collection_modifyitems(config, items):
    """Under KERAS_BACKEND=jax (tox -e jax), tests that call TensorFlow APIs in-process
    are skipped with a stated reason; their JAX counterparts run in subprocesses."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        return
    skip = pytest.mark.skip(reason="TensorFlow-specific test; KERAS_BACKEND is "
                            f"{os.environ['KERAS_BACKEND']}")
    for item in items:
        if "tensorflow_only" in item.keywords:
            item.add_marker(skip)
