"""`cgtk bench` (being built)."""
from cgtk.errors import CgtkError


def bench():
    """Not available yet."""
    raise CgtkError("'cgtk bench' is not available yet")
