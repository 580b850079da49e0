"""`cgtk evaluate` (being built)."""
from cgtk.errors import CgtkError


def evaluate():
    """Not available yet."""
    raise CgtkError("'cgtk evaluate' is not available yet")
