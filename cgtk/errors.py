"""The one exception type that means "the user can fix this".

The CLI prints a :class:`CgtkError` as a single line and exits with code 1;
anything else is a bug and shows a traceback. ``CGTK_DEBUG=1`` shows the
traceback for user errors too.
"""
import os


class CgtkError(Exception):
    """An error the user caused and can fix: bad input, flag, file or setup.

    The message names the file, flag or value at fault and says what to do.

    >>> str(CgtkError("no such folder: x/", hint="pass --data demo"))
    'no such folder: x/ (pass --data demo)'
    """

    def __init__(self, message: str, *, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(f"{message} ({hint})" if hint else message)


def debug_enabled() -> bool:
    """True when ``CGTK_DEBUG`` asks for tracebacks and unfiltered native logs."""
    return os.environ.get("CGTK_DEBUG", "") not in ("", "0", "false", "no")
