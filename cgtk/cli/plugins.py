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
    from cgtk import registry

    infos = registry.discover()
    if check:
        registry.check_all(infos)
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
    from cgtk import registry
    from cgtk.config import describe_fields

    info = registry.get(name)
    fields = describe_fields(info.cls.Config)
    nets = []
    if networks:
        from cgtk.engine.summary import network_summaries

        nets = network_summaries(info.cls)
    if json:
        console.print_json({**info.as_dict(), "config": fields, "networks": nets})
        return
    console.out.print(f"[bold]{info.name}[/] {info.version or ''} ({info.dist}): "
                      f"{console.escape(info.summary)}")
    console.out.print(f"data kind: {info.data_kind}; default data: {info.default_data or '-'}")
    for title, rows in (("model options", [f for f in fields if not f["common"]]),
                        ("training options", [f for f in fields if f["common"]])):
        table = Table(title=title)
        for column in ("key", "type", "default", "help"):
            table.add_column(column, overflow="fold")
        for f in rows:
            help_text = f["help"]
            if f["choices"]:
                help_text += f" [{' | '.join(map(str, f['choices']))}]"
            if f["paper"]:
                help_text += f" (default from {f['paper']})"
            if f["fixed"]:
                help_text += " (fixed on resume)"
            table.add_row(f["name"], f["type"], repr(f["default"]), console.escape(help_text))
        console.out.print(table)
    if nets:
        table = Table(title="networks at the default config")
        for column in ("network", "role", "parameters", "input", "output"):
            table.add_column(column)
        for n in nets:
            table.add_row(n["name"], n["role"], f"{n['params']:,}", n["input"], n["output"])
        console.out.print(table)
