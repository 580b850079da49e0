"""`cgtk train` (being built)."""
from cgtk.errors import CgtkError


def train():
    """Not available yet."""
    raise CgtkError("'cgtk train' is not available yet")
