"""`cgtk infer` (being built)."""
from cgtk.errors import CgtkError


def infer():
    """Not available yet."""
    raise CgtkError("'cgtk infer' is not available yet")
