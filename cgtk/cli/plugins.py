"""``cgtk plugins list|show``: what is installed, what loaded, what each option means."""
from __future__ import annotations

import typer
from rich.table import Table

from cgtk.cli import console

app = typer.Typer(help="List installed model plugins and show their options.",
                  no_args_is_help=True)


@app.command("list")
def list_plugins(
    json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    check: bool = typer.Option(
        False, "--check", help="Also import every model class and validate it "
        "(imports Keras, so it is slower); exit code 1 if any plugin is broken."),
):
    """List installed plugins: name, version, distribution, summary, data kind, status."""
    infos = _list(json, check)
    if check and any(not i.ok for i in infos):  # for scripts and CI
        raise typer.Exit(1)


def _list(json: bool, check: bool) -> list:
    from cgtk.app.plugins import PluginsRequest, list_plugins

    infos = list_plugins(PluginsRequest(check=check)).plugins
    if json:
        console.print_json([i.as_dict() for i in infos])
        return infos
    if not infos:
        console.out.print("No plugins installed. Built-in plugins come with cgtk; "
                          "check the installation (pip install -e .).")
        return infos
    table = Table(title="cgtk plugins")
    for column in ("name", "version", "distribution", "data kind", "summary", "status"):
        table.add_column(column, overflow="fold")
    for i in infos:
        status = "[green]ok[/]" if i.ok else f"[red]broken[/]: {console.escape(i.error or '')}"
        table.add_row(i.name, i.version or "?", i.dist or "?", i.data_kind or "-",
                      console.escape(i.summary or ""), status)
    console.out.print(table)
    broken = [i for i in infos if not i.ok]
    if broken:
        console.warn(f"{len(broken)} broken plugin(s); other plugins work normally.")
    return infos


@app.command("show")
def show(
    name: str = typer.Argument(..., help="Plugin name, as in 'cgtk plugins list'."),
    json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    networks: bool = typer.Option(
        True, "--networks/--no-networks",
        help="Build the networks at the default config and print their parameter counts."),
):
    """Show a plugin's every config option (type, default, help) and its networks."""
    from cgtk.app.plugins import ShowRequest, show_plugin

    shown = show_plugin(ShowRequest(name, networks=networks))
    info, fields, nets = shown.info, shown.fields, shown.networks
    if json:
        console.print_json({**info.as_dict(), "config": fields, "networks": nets})
        return
    console.out.print(f"[bold]{info.name}[/] {info.version or ''} ({info.dist}): "
                      f"{console.escape(info.summary)}")
    console.out.print(f"data kind: {info.data_kind}; default data: {info.default_data or '-'}")
    for title, rows in (("model options", [f for f in fields if not f["common"]]),
                        ("training options", [f for f in fields if f["common"]])):
        if rows:
            _print_options(title, rows)
    if nets:
        table = Table(title="networks at the default config")
        for column in ("network", "role", "parameters", "input", "output"):
            table.add_column(column)
        for n in nets:
            table.add_row(n["name"], n["role"], f"{n['params']:,}", n["input"], n["output"])
        console.out.print(table)


def _print_options(title: str, rows: list[dict]) -> None:
    """One table per option group: where a default comes from is a numbered reference
    (legend below the table) and "fixed on resume" a narrow column, so each option
    keeps to one or two lines."""
    sources: dict[str, int] = {}
    for f in rows:
        if f["paper"]:
            sources.setdefault(f["paper"], len(sources) + 1)
    table = Table(title=title)
    table.add_column("key", overflow="fold")
    table.add_column("type", overflow="fold")
    table.add_column("default", overflow="fold")
    if sources:
        table.add_column("from", justify="center", no_wrap=True)
    table.add_column("fixed", justify="center", no_wrap=True)
    table.add_column("help", overflow="fold")
    for f in rows:
        help_text = f["help"]
        if f["choices"]:
            help_text += f" [{' | '.join(map(str, f['choices']))}]"
        cells = [f["name"], f["type"], repr(f["default"])]
        if sources:
            cells.append(f"[{sources[f['paper']]}]" if f["paper"] else "")
        cells += ["yes" if f["fixed"] else "", console.escape(help_text)]
        table.add_row(*cells)
    console.out.print(table)
    legend = "; ".join(f"[{n}] {paper}" for paper, n in sources.items())
    notes = ["fixed: shapes the networks, cannot change on resume"]
    if legend:
        notes.insert(0, f"from: where the default comes from: {legend}")
    for note in notes:
        console.out.print(console.escape(note), style="dim")
