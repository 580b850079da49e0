"""``cgtk eval SOURCE [--data DATA] [--split test] [--json]``: metrics on held-out data."""
from __future__ import annotations

from pathlib import Path

import typer

from cgtk.cli import console

INCEPTION_HELP = ("Inception features for FID/KID: auto (the 2015 TF graph if found in "
                  "$CGTK_FID_INCEPTION or $CGTK_HOME/weights/tfgan_inception, else keras) | "
                  "keras | tfgan | PATH to a SavedModel.")


def evaluate(
    source: Path = typer.Argument(..., help="A run directory or a .keras inference model."),
    data: str = typer.Option(None, "--data", "-d", help="Dataset name, folder or 'demo'. "
                             "Default: the run's own data."),
    split: str = typer.Option("test", "--split", help="test | val | train (falls back "
                              "test -> val -> train)."),
    direction: str = typer.Option(None, "--direction", help="Evaluate only this network "
                                  "(default: all, e.g. both CycleGAN directions)."),
    kind: str = typer.Option(None, "--kind", help="Data kind for a bare .keras model: "
                             "unpaired | paired | single | style."),
    limit: int = typer.Option(None, "--limit", help="Use at most N images (per domain)."),
    tile: int = typer.Option(None, "--tile", help="Run large images in N x N tiles."),
    overlap: int = typer.Option(32, "--overlap", help="Tile overlap (with --tile)."),
    inception: str = typer.Option("auto", "--inception", help=INCEPTION_HELP),
    inception_weights: str = typer.Option("imagenet", "--inception-weights",
                                          help="keras Inception weights: imagenet (local "
                                          "copy, else download) | PATH | random-proxy "
                                          "(tests only: numbers are NOT an FID)."),
    inception_size: int = typer.Option(299, "--inception-size", help="Inception input side "
                                       "(299 is the protocol; smaller only for quick "
                                       "checks, not comparable)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    backend: str = typer.Option(None, "--backend", help="Keras backend: tensorflow "
                                "(default) or jax."),
):
    """Evaluate a run: SR Y-PSNR/Y-SSIM with the bicubic baseline; paired L1/PSNR/SSIM;
    unpaired and style FID/KID (with the protocol named next to the numbers)."""
    from cgtk.backend_env import select_backend
    from cgtk.errors import CgtkError

    select_backend(backend)
    if kind is not None and kind not in ("unpaired", "paired", "single", "style"):
        raise CgtkError(f"--kind {kind}: choose unpaired, paired, single or style")
    from cgtk.evaluation import evaluate as run_eval
    from cgtk.inference import open_source

    src = open_source(source)

    def extractor():
        import warnings

        from cgtk.metrics import InceptionFeatures

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return InceptionFeatures(inception, weights=inception_weights,
                                     image_size=inception_size)

    from cgtk.progress import ProgressBar

    with ProgressBar("eval", console=console.err) as bar:  # each network adds its images
        report = run_eval(src, data=data, split=split, direction=direction, kind=kind,
                          extractor_factory=extractor, tile=tile, overlap=overlap,
                          limit=limit, progress=bar)
    for note in src.notes:
        console.warn(note)
    if src_is_run(source):
        from cgtk.report.records import record_eval

        try:
            record_eval(source, report, direction=direction, limit=limit)
        except OSError as err:
            console.warn(f"the results could not be kept in {source}/eval.json: {err}")
    if as_json:
        console.print_json(report)
        return 0
    _print_table(report)
    return 0


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 10 else f"{value:.2f}"
    return str(value)


def _print_table(report: dict) -> None:
    from rich.table import Table

    table = Table(title=f"{report['plugin'] or report['source']} on {report['data']['name']}"
                  f" ({report['kind']}, split {report['split']})")
    for col in ("network", "metric", "value", "images"):
        table.add_column(col)
    for r in report["results"]:
        n = r["n"] if not isinstance(r["n"], dict) else ", ".join(
            f"{k} {v}" for k, v in r["n"].items())
        for metric, value in r["metrics"].items():
            table.add_row(f"{r['network']} ({r['description']})" if r["description"]
                          else r["network"], metric, _fmt(value), str(n))
    console.out.print(table)
    for r in report["results"]:
        tag = " [PROXY: random Inception weights, not an FID]" if r.get("proxy") else ""
        console.out.print(f"{r['network']}: protocol: {r['protocol']}; resize: "
                          f"{r['resize']}{tag}")
    if report["skipped"]:
        console.warn(f"skipped {len(report['skipped'])} unreadable file(s)")


def src_is_run(source: Path) -> bool:
    """A run directory (its results are kept in RUN_DIR/eval.json for 'cgtk report')."""
    from cgtk.report.records import is_run_dir

    return is_run_dir(source)
