"""`cgtk export` (being built)."""
from cgtk.errors import CgtkError


def export():
    """Not available yet."""
    raise CgtkError("'cgtk export' is not available yet")
