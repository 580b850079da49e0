import pytest

from cgtk.backend_env import select_backend
from cgtk.errors import CgtkError


def test_backend_is_set_in_the_environment():
    assert select_backend("jax", environ={})["KERAS_BACKEND"] == "jax"
    assert select_backend(None, environ={})["KERAS_BACKEND"] == "tensorflow"
    assert select_backend(None, environ={"KERAS_BACKEND": "jax"})["KERAS_BACKEND"] == "jax"


def test_torch_backend_is_refused_clearly():
    with pytest.raises(CgtkError, match="PyTorch backend is not supported"):
        select_backend("torch", environ={})
    with pytest.raises(CgtkError, match="--backend mxnet: unknown backend"):
        select_backend("mxnet", environ={})
