"""Help-screen fixes on top of Typer's rich formatting.

Typer 0.2x prints a value type for every option, so on/off flags (``--recursive``,
``--overwrite``, even ``--help``) show ``<bool>`` as if they took a value. Flags take
none: :func:`hide_flag_types` leaves their type column empty (options that take a value
keep ``<int>``, ``<path>``, ...).
"""
from __future__ import annotations

__all__ = ["hide_flag_types"]


def hide_flag_types() -> None:
    """Patch Typer's option class once (idempotent; a Typer without the hook is left
    as it is)."""
    try:
        from typer.core import TyperOption
    except ImportError:  # pragma: no cover - a Typer without its own option class
        return
    original = getattr(TyperOption, "display_type_rich", None)
    if original is None or getattr(original, "_cgtk_flags_hidden", False):
        return

    def display_type_rich(self, ctx):
        if getattr(self, "is_flag", False) and self.metavar is None:
            return None
        return original(self, ctx)

    display_type_rich._cgtk_flags_hidden = True
    TyperOption.display_type_rich = display_type_rich
