"""Entry point of the ``cgtk`` command: builds the Typer app, turns user errors
into one line and exit code 1 (``CGTK_DEBUG=1`` shows the traceback)."""
from __future__ import annotations

import sys

import typer

try:  # typer >= 0.20 vendors click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer on real click
    from click.exceptions import ClickException

from cgtk._version import __version__
from cgtk.cli import console
from cgtk.errors import CgtkError, debug_enabled

app = typer.Typer(
    name="cgtk",
    help="cgtk: the Conditional Generative ToolKit. Train, run, evaluate and export "
    "CycleGAN, CUT, pix2pix, SRResNet/SRGAN, ESRGAN/Real-ESRGAN and fast style transfer "
    "models, or any plugin; import the reference projects' PyTorch weights.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool):
    if value:
        typer.echo(f"cgtk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
):
    """cgtk: the Conditional Generative ToolKit."""


def _register():
    from cgtk.cli import bench, data, evaluate, export, infer, plugins, report, train
    from cgtk.cli.help_format import hide_flag_types

    hide_flag_types()

    app.add_typer(plugins.app, name="plugins")
    app.add_typer(data.app, name="data")
    app.command("train")(train.train)
    app.command("infer")(infer.infer)
    app.command("eval")(evaluate.evaluate)
    app.command("export")(export.export)
    app.command("bench")(bench.bench)
    from cgtk.cli.import_weights import import_weights  # "import" is a keyword

    app.command("import")(import_weights)
    app.command("report")(report.report)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns (and, as a script, exits with) the exit code."""
    _register()
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="cgtk", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except CgtkError as err:
        if debug_enabled():
            raise
        console.error(str(err))
        code = 1
    except typer.Abort:
        console.error("aborted")
        code = 130
    except typer.Exit as err:
        code = err.exit_code
    except ClickException as err:  # bad flag, missing argument, ...
        ctx = getattr(err, "ctx", None)
        if type(err).__name__ == "NoArgsIsHelpError":  # typer printed the help already
            return 0
        if debug_enabled():
            raise
        where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        console.error(f"{err.format_message()}{where}")
        code = 1
    except KeyboardInterrupt:
        console.error("interrupted")
        code = 130
    return code


def run() -> None:  # pragma: no cover - console_scripts shim
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
