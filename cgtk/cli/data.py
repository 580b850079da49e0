"""``cgtk data list|fetch|info|check|preview``: known datasets, downloads, folder checks and
SR training-pair previews."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cgtk.cli import console

app = typer.Typer(help="Datasets: list known ones, fetch, inspect and check folders, preview a "
                  "plugin's training pairs.",
                  no_args_is_help=True)


@app.command("list")
def list_datasets(
    json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
):
    """List the known datasets: name, kind, whether fetched, summary."""
    from cgtk.app.datasets import list_datasets as known_datasets

    rows = known_datasets()
    if json:
        console.print_json(rows)
        return
    table = Table(title="known datasets (cgtk train --data NAME)")
    for column in ("name", "kind", "fetched", "summary"):
        table.add_column(column, overflow="fold")
    for r in rows:
        fetched = "manual" if r.get("manual") and not r["fetched"] else (
            "[green]yes[/]" if r["fetched"] else "no")
        table.add_row(r["name"], r["kind"], fetched, console.escape(r["summary"]))
    console.out.print(table)


@app.command("fetch")
def fetch_dataset(
    name: str = typer.Argument(..., help="Dataset name, as in 'cgtk data list'."),
    root: Path = typer.Option(None, "--root", help="Folder to fetch into "
                              "(default: $CGTK_HOME/datasets)."),
    force: bool = typer.Option(False, "--force", help="Fetch again even if present."),
):
    """Download, verify and unpack a known dataset (resumes a partial download)."""
    from cgtk.app.datasets import fetch_dataset as fetch

    path, entry = fetch(name, root, force=force)
    console.out.print(f"{entry['name']}: ready in {path}")
    if entry.get("citation"):
        console.info(f"Please cite: {entry['citation']}. Licence: {entry.get('licence')}")


@app.command("info")
def info(
    target: str = typer.Argument(..., help="A known dataset name or a folder."),
    kind: str = typer.Option(None, "--kind", help="Read the folder as this kind."),
    json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Counts per split, image sizes, and the detected kind of a dataset or folder."""
    from cgtk.app.datasets import dataset_info

    result = dataset_info(target, kind)
    if json:
        console.print_json(result)
        return
    if "known" in result:
        k = result["known"]
        console.out.print(f"[bold]{k['name']}[/] ({k['kind']}): {console.escape(k['summary'])}")
        for url in k["urls"]:
            console.out.print(f"  url: {url}")
        if k["manual"]:
            console.out.print(f"  manual: {console.escape(k['manual'])}")
        console.out.print(f"  citation: {console.escape(k['citation'])}")
        console.out.print(f"  licence: {console.escape(k['licence'])}")
        console.out.print(f"  fetched: {'yes' if result['fetched'] else 'no'} "
                          f"({result['folder']})")
    if "root" not in result:
        return
    kinds = result.get("kinds") or []
    console.out.print(f"{result['root']}: kind [bold]{result.get('kind') or '?'}[/]"
                      + (f" (also usable as: {', '.join(kinds[1:])})" if len(kinds) > 1 else "")
                      + (f", layout {result['layout']}" if result.get("layout") else ""))
    table = Table()
    for column in ("split", "role", "images", "sizes"):
        table.add_column(column)
    for split, roles in result.get("splits", {}).items():
        for role, r in roles.items():
            sizes = r["sizes"]
            text = ", ".join(f"{s['size']} ({s['count']})" for s in sizes.get("most_common", []))
            if sizes and sizes["min"] != sizes["max"]:
                text += f"; {sizes['min']} .. {sizes['max']}"
            table.add_row(split, role, str(r["count"]), text)
    console.out.print(table)
    if result.get("style_image"):
        console.out.print(f"style image: {result['style_image']}")


@app.command("check")
def check(
    path: Path = typer.Argument(..., help="The data folder."),
    kind: str = typer.Option(None, "--kind", help="Check the folder as this kind "
                             "(default: detected)."),
    max_bad_fraction: float = typer.Option(0.01, "--max-bad-fraction",
                                           help="Unusable above this fraction of a split."),
    scale: int = typer.Option(4, "--scale", help="single: the SR scale (checks LR/ sizes)."),
    json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Decode every file; list each unusable one with its reason; exit 1 if unusable."""
    from cgtk.app.datasets import check_data

    result = check_data(path, kind, max_bad_fraction=max_bad_fraction, scale=scale)
    if json:
        console.print_json(result)
    else:
        for bad in result["bad"]:
            console.out.print(f"unusable: {console.escape(bad['path'])}: "
                              f"{console.escape(bad['reason'])}")
        for split, s in result["splits"].items():
            good = ", ".join(f"{r} {n}" for r, n in s["good"].items())
            console.out.print(f"{split}: {s['files']} files, {s['bad']} unusable; usable: {good}")
        for problem in result["problems"]:
            console.error(problem)
        verdict = "[green]usable[/]" if result["usable"] else "[red]not usable[/]"
        console.out.print(f"{result['root']} as {result['kind']} data"
                          f"{' (' + result['layout'] + ')' if result.get('layout') else ''}: "
                          f"{verdict}")
    if not result["usable"]:
        raise typer.Exit(1)


@app.command("preview")
def preview(
    plugin: str = typer.Argument(..., help="A super-resolution plugin (data kind single): "
                                 "realesrgan, esrgan, srresnet, ..."),
    data: str = typer.Option(None, "--data", help="Folder, known dataset or 'demo' "
                             "(default: the plugin's default data)."),
    output: Path = typer.Option(Path("preview.png"), "--output", "-o",
                                help="The PNG to write."),
    n: int = typer.Option(8, "-n", help="Pairs to show (one row each)."),
    seed: int = typer.Option(0, "--seed", help="Picks the images, crops and degradations."),
    sets: list[str] = typer.Option([], "--set", help="KEY=VALUE plugin option (repeatable), "
                                   "e.g. noise_range=1,10."),
    backend: str = typer.Option(None, "--backend", help="Keras backend: tensorflow "
                                "(default) or jax."),
):
    """Write a grid of training pairs: HR crop | the plugin's LR | bicubic LR (LR enlarged,
    nearest), to see what the degradations do before training."""
    from cgtk.app.preview import PreviewRequest, preview_data

    path = preview_data(PreviewRequest(plugin=plugin, output=output, data=data, sets=sets,
                                       n=n, seed=seed, backend=backend), console.feedback())
    console.out.print(f"wrote {path}")
