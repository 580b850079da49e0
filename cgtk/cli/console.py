"""Shared rich consoles: results on stdout, messages and errors on stderr."""
from __future__ import annotations

import json as _json

from rich.console import Console
from rich.markup import escape

__all__ = ["out", "err", "error", "warn", "info", "print_json", "escape", "feedback"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def error(message: str) -> None:
    """One line on stderr: ``Error: ...``."""
    err.print(f"[bold red]Error:[/] {escape(message)}")


def warn(message: str) -> None:
    err.print(f"[yellow]Warning:[/] {escape(message)}")


def info(message: str) -> None:
    err.print(escape(message))


def print_json(payload) -> None:
    """Plain JSON on stdout (no rich markup), for ``--json`` flags."""
    print(_json.dumps(payload, indent=2, default=str))


def feedback():
    """What the use cases (:mod:`cgtk.app`) say while they run, on stderr."""
    from cgtk.app.feedback import ConsoleFeedback

    return ConsoleFeedback(err, info=info, warn=warn)
