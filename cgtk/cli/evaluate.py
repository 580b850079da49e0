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
    from cgtk.app.evaluate import EvalRequest
    from cgtk.app.evaluate import evaluate as run_eval

    result = run_eval(EvalRequest(
        source=source, data=data, split=split, direction=direction, kind=kind, limit=limit,
        tile=tile, overlap=overlap, inception=inception, inception_weights=inception_weights,
        inception_size=inception_size, backend=backend), console.feedback())
    if as_json:
        console.print_json(result.report)
        return 0
    _print_table(result.report)
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
