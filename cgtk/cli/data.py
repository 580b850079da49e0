"""`cgtk data` (being built)."""
import typer

app = typer.Typer(help="Datasets: list, fetch, info, check.", no_args_is_help=True)


@app.command("list")
def list_datasets():
    """Not available yet."""
