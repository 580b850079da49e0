"""PyTorch re-statements of the reference networks (test-only; needs torch).

``networks`` re-states, in our own code, the architectures whose published weights
``cgtk import`` reads, with the reference's module and parameter names so that
``state_dict()`` keys equal the published files'. ``fixtures/`` holds small ``.npz``
files (state dict, input, expected output) made by ``make_fixtures.py``, so the import
path is tested even where torch is absent.

Tests import it as ``from reference import networks`` (tests/ is on sys.path).
"""
