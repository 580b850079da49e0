"""``cgtk train NAME --init-from RUN_DIR``: start a new run from another run's networks.

Only weights move: for every inference network of the new model whose name matches an
inference network of the old run (``RUN_DIR/<name>.keras``, loaded with
``safe_mode=True``), the weights are copied in. Optimizers, schedules, steps, RNG state
and every other network start afresh. (ESRGAN's GAN stage starts from its PSNR stage
this way.)
"""
from __future__ import annotations

from pathlib import Path

from cgtk.errors import CgtkError
from cgtk.runs.record import read_run_record


def init_from_run(model, path) -> list[str]:
    """Copy the matching inference networks' weights of run ``path`` into ``model``.

    Returns notes (one per network loaded). Raises :class:`CgtkError` when nothing
    matches or a matching network has another architecture.
    """
    import keras

    run = Path(path).expanduser()
    record = read_run_record(run, what=f"--init-from {run}",
                             hint="give the run directory of an earlier 'cgtk train'")
    theirs = record.inference
    ours = model.inference_networks()
    common = [name for name in ours if name in theirs]
    if not common:
        raise CgtkError(f"--init-from {run}: no network in common (that run has "
                        f"{', '.join(theirs) or 'none'}; this one has {', '.join(ours)})",
                        hint="start from a run of a plugin with the same inference networks")
    notes = []
    for name in common:
        file = theirs[name].path_in(run)
        if not file.is_file():
            raise CgtkError(f"--init-from {run}: no {file.name} in the run",
                            hint="let that run finish an epoch (it writes its networks then)")
        trained = keras.saving.load_model(file, safe_mode=True, compile=False)
        target = ours[name].network
        mine = [tuple(v.shape) for v in target.weights]
        found = [tuple(v.shape) for v in trained.weights]
        if mine != found:
            raise CgtkError(f"--init-from {run}: its '{name}' network does not fit this one "
                            f"({len(found)} weights there, {len(mine)} here, or other shapes)",
                            hint="use the same architecture options (cgtk plugins show NAME)")
        target.set_weights(trained.get_weights())
        notes.append(f"--init-from: '{name}' weights from {file}")
    return notes
