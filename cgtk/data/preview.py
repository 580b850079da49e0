"""``cgtk data preview PLUGIN``: what a super-resolution plugin trains on, as a PNG grid.

One row per training pair, drawn by the plugin's own data pipeline with its Config
(``--set KEY=VALUE`` applies, ``--seed`` picks the pairs): the HR crop, the LR the plugin
trains on (Real-ESRGAN: the second-order degradation of that crop), and the plain
bicubic LR of the same crop for comparison; LR cells are shown enlarged (nearest
neighbour) to the HR size. A user sees what the degradations do before hours of
training. Works for every plugin whose data kind yields ``(lr, hr)`` pairs (``single``:
srresnet, srgan, esrgan, realesrgan).

>>> import tempfile, pathlib
>>> from cgtk_esrgan.realesrgan import RealESRGAN
>>> out = pathlib.Path(tempfile.mkdtemp()) / "p.png"
>>> path = preview(RealESRGAN, "demo", sets=["image_size=32", "scale=2"], n=2, output=out)
>>> path.name, path.stat().st_size > 0
('p.png', True)
"""
from __future__ import annotations

from pathlib import Path

from cgtk.errors import CgtkError

#: Data kinds whose training batches are ``(lr, hr)`` pairs.
PAIR_KINDS = ("single",)


def _plugin(plugin) -> tuple[str, type]:
    from cgtk import registry

    if isinstance(plugin, type):
        if not getattr(plugin, "data_kind", ""):  # an installed plugin's class, not loaded
            model = f"{plugin.__module__}:{plugin.__qualname__}"
            for info in registry.discover():
                if info.spec is not None and info.spec.model == model:
                    registry.get(info.name)        # gives the class its spec's metadata
                    break
        return getattr(plugin, "name", None) or plugin.__name__.lower(), plugin
    info = registry.get(str(plugin))
    return info.name, info.cls


def preview(plugin, data=None, *, sets=(), n: int = 8, seed: int = 0,
            output="preview.png", notes: list | None = None) -> Path:
    """Write the grid of ``n`` training pairs of ``plugin`` (a name or a model class) on
    ``data`` (a folder, a known dataset, ``"demo"``; None: the plugin's default) to the
    PNG ``output``; return its path.

    Columns: ``HR crop``, ``training LR`` (the plugin's pipeline), ``bicubic LR``; one row
    per pair. A plugin whose data is not ``(lr, hr)`` pairs, ``n < 1`` or an output that
    is not a ``.png`` is a one-line :class:`CgtkError`. ``notes`` (a list) receives a
    line about skipped files, if any.
    """
    output = Path(output).expanduser()
    if output.suffix.lower() != ".png":
        raise CgtkError(f"--output {output}: the preview is a PNG file",
                        hint="give a name ending in .png")
    if int(n) < 1:
        raise CgtkError(f"-n {n}: at least one pair", hint="e.g. -n 8")
    name, cls = _plugin(plugin)
    kind = getattr(cls, "data_kind", None)
    if kind not in PAIR_KINDS:
        raise CgtkError(f"cgtk data preview: '{name}' trains on {kind} data, not (lr, hr) "
                        "pairs", hint="preview shows the training pairs of super-resolution "
                        "plugins (data kind single: srresnet, esrgan, realesrgan)")

    from cgtk.callbacks.samples import write_grid
    from cgtk.config import resolve_config
    from cgtk.data import augment as aug
    from cgtk.data.pipeline import load_train_data
    from cgtk.data.source import resolve_source

    n = int(n)
    # the seed picks the images, crops and degradations; one batch of exactly n pairs
    config = resolve_config(cls.Config, values={"seed": int(seed), "epoch_length": n},
                            sets=list(sets))
    source = resolve_source(data, kind, getattr(cls, "default_data", None))
    train = load_train_data(source, config)
    if train.skipped and notes is not None:
        notes.append(f"skipped {len(train.skipped)} unusable file(s), e.g. "
                     f"{train.skipped[0][0]}: {train.skipped[0][1]}")
    lr, hr = next(iter(train.dataset(0, batch_size=n)))
    scale = int(hr.shape[1]) // int(lr.shape[1])
    bicubic = aug.quantize(aug.resize(hr, int(lr.shape[1]), int(lr.shape[2])))
    columns = {"HR crop": hr.numpy(), f"training LR (x{scale}, nearest)": lr.numpy(),
               f"bicubic LR (x{scale}, nearest)": bicubic.numpy()}
    write_grid(columns, output)
    return output
