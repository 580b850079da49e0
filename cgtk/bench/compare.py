"""``cgtk bench --infer --compare torch``: time the inference network beside a PyTorch
re-statement of it, interleaved, in one process.

cgtk never imports torch (``.importlinter``, contract *torch-is-test-only*). The PyTorch
side is therefore a **comparison script** that cgtk runs with :func:`runpy.run_path`, so
torch is imported by that script, never by a cgtk module:

* ``--compare torch`` uses ``benchmarks/bench_infer_vs_torch.py`` of the cgtk checkout
  (found beside the installed ``cgtk`` package, or under the current folder);
  ``--compare PATH.py`` uses any script with the same entry point.
* The script defines ``make_torch_case(plugin, config, *, input_size, batch_size,
  channels, threads, builder=None)`` returning a case (``run(n)``/``wait(handle)``, as in
  :mod:`cgtk.bench.runner`), and knows the built-in plugins (CycleGAN, pix2pix,
  SRResNet ``arch=msrresnet``, style).
* For a user's own plugin, ``--torch-builder FILE.py:FUNC`` names a function
  ``FUNC(config) -> torch.nn.Module`` (NCHW, same layers as the Keras network).

>>> find_script("no/such/script.py")
Traceback (most recent call last):
...
cgtk.errors.CgtkError: --compare no/such/script.py: no such comparison script
"""
from __future__ import annotations

import runpy
from pathlib import Path

from cgtk.errors import CgtkError

SCRIPT_NAME = "bench_infer_vs_torch.py"
ENTRY = "make_torch_case"


def candidates() -> list[Path]:
    """Where ``--compare torch`` looks: the checkout holding ``cgtk/``, then the cwd."""
    import cgtk

    checkout = Path(cgtk.__file__).resolve().parents[1]
    return [checkout / "benchmarks" / SCRIPT_NAME, Path.cwd() / "benchmarks" / SCRIPT_NAME]


def find_script(compare: str) -> Path:
    if compare == "torch":
        for path in candidates():
            if path.is_file():
                return path
        raise CgtkError(f"--compare torch: {SCRIPT_NAME} not found (it lives in the cgtk "
                        "source checkout's benchmarks/)",
                        hint="run from a cgtk checkout, or pass --compare PATH/TO/"
                             f"{SCRIPT_NAME}")
    path = Path(compare).expanduser()
    if not path.is_file():
        raise CgtkError(f"--compare {compare}: no such comparison script",
                        hint="use --compare torch, or a path to a .py script that defines "
                             f"{ENTRY}()")
    return path


def load_builder(spec: str | None):
    """``FILE.py:FUNC`` -> the function (run from its file; torch imported there)."""
    if not spec:
        return None
    file, sep, func = spec.rpartition(":")
    if not sep or not file or not func:
        raise CgtkError(f"--torch-builder {spec}: expected FILE.py:FUNCTION")
    if not Path(file).expanduser().is_file():
        raise CgtkError(f"--torch-builder {spec}: no such file {file}")
    namespace = _run(Path(file).expanduser(), "--torch-builder")
    if not callable(namespace.get(func)):
        raise CgtkError(f"--torch-builder {spec}: {file} defines no function {func}")
    return namespace[func]


def _run(path: Path, flag: str) -> dict:
    try:
        return runpy.run_path(str(path), run_name="cgtk_compare")
    except ModuleNotFoundError as err:
        if err.name and err.name.split(".")[0] == "torch":
            raise CgtkError(f"{flag}: PyTorch is not installed",
                            hint='pip install "torch==2.13.0" --index-url '
                                 "https://download.pytorch.org/whl/cpu") from err
        raise


def torch_case(compare: str, plugin: str, config, *, input_size: int, batch_size: int,
               channels: int, threads: int, builder_spec: str | None = None):
    """The PyTorch case to time beside cgtk's, from the comparison script."""
    path = find_script(compare)
    builder = load_builder(builder_spec)
    namespace = _run(path, f"--compare {compare}")
    make = namespace.get(ENTRY)
    if not callable(make):
        raise CgtkError(f"--compare {compare}: {path} defines no {ENTRY}()")
    try:
        return make(plugin, config, input_size=input_size, batch_size=batch_size,
                    channels=channels, threads=threads, builder=builder)
    except ModuleNotFoundError as err:
        if err.name and err.name.split(".")[0] == "torch":
            raise CgtkError(f"--compare {compare}: PyTorch is not installed",
                            hint='pip install "torch==2.13.0" --index-url '
                                 "https://download.pytorch.org/whl/cpu") from err
        raise
    except LookupError as err:  # no re-statement for this plugin/config
        raise CgtkError(f"--compare {compare}: {err.args[0] if err.args else err}",
                        hint="pass --torch-builder FILE.py:FUNC returning the torch network"
                        ) from err
