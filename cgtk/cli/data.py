"""``cgtk data list|fetch|info|check``: known datasets, downloads, and folder checks."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cgtk.cli import console

app = typer.Typer(help="Datasets: list known ones, fetch, inspect and check folders.",
                  no_args_is_help=True)


@app.command("list")
def list_datasets(
    json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
):
    """List the known datasets: name, kind, whether fetched, summary."""
    from cgtk.data import fetch, known

    rows = [{**d.as_dict(), "fetched": fetch.is_fetched(d.name),
             "folder": str(fetch.dataset_folder(d.name))} for d in known.KNOWN.values()]
    rows.insert(0, {"name": "demo", "kind": "any", "summary": "procedural demo data for every "
                    "kind (generated on the fly, nothing to fetch)", "fetched": True,
                    "urls": [], "folder": None, "citation": "", "licence": "cgtk"})
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
    from cgtk.data import fetch, known

    entry = known.get(name)
    path = fetch.fetch(entry.name, root, force=force)
    console.out.print(f"{entry.name}: ready in {path}")
    if entry.citation:
        console.info(f"Please cite: {entry.citation}. Licence: {entry.licence}")


@app.command("info")
def info(
    target: str = typer.Argument(..., help="A known dataset name or a folder."),
    kind: str = typer.Option(None, "--kind", help="Read the folder as this kind."),
    json: bool = typer.Option(False, "--json", help="Print JSON."),
):
    """Counts per split, image sizes, and the detected kind of a dataset or folder."""
    from cgtk.data import report
    from cgtk.data.kinds import check_kind

    if kind:
        check_kind(kind)
    result = report.info(target, kind)
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
    from cgtk.data import report
    from cgtk.data.kinds import check_kind

    if kind:
        check_kind(kind)
    result = report.check(path, kind, max_bad_fraction=max_bad_fraction, scale=scale)
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
