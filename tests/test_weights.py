"""cgtk.weights: where weight files are found, and the offline error."""
import keras
import pytest

from cgtk.errors import CgtkError
from cgtk.weights import (
    WeightFile,
    cache_locations,
    cgtk_home,
    find_weights,
    keras_home,
    resolve_weights,
)

SPEC = WeightFile(key="demo_weights", env="CGTK_DEMO_WEIGHTS", filename="demo_notop.h5",
                  url="https://example.invalid/demo_notop.h5", description="demo weights")


@pytest.fixture(autouse=True)
def homes(tmp_path, monkeypatch):
    monkeypatch.setenv("CGTK_HOME", str(tmp_path / "cgtk"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("CGTK_DEMO_WEIGHTS", raising=False)
    calls = []

    def no_network(*args, **kwargs):
        calls.append((args, kwargs))
        raise Exception(f"URL fetch failure on {SPEC.url}: None -- [Errno -3] "
                        "Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    return tmp_path, calls


def _touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_homes_follow_env(homes, monkeypatch):
    tmp, _ = homes
    assert cgtk_home() == tmp / "cgtk" and keras_home() == tmp / "keras"
    assert cache_locations(SPEC) == [tmp / "cgtk" / "weights" / SPEC.filename,
                                     tmp / "keras" / "models" / SPEC.filename]
    monkeypatch.delenv("CGTK_HOME")
    assert str(cgtk_home()).endswith(".cache/cgtk")


def test_resolution_order(homes, monkeypatch):
    tmp, calls = homes
    assert find_weights(SPEC) is None
    in_keras = _touch(tmp / "keras" / "models" / SPEC.filename)
    assert resolve_weights(SPEC) == in_keras
    in_home = _touch(tmp / "cgtk" / "weights" / SPEC.filename)
    assert resolve_weights(SPEC) == in_home
    env = _touch(tmp / "env.h5")
    monkeypatch.setenv("CGTK_DEMO_WEIGHTS", str(env))
    assert resolve_weights(SPEC) == env
    explicit = _touch(tmp / "explicit.h5")
    assert resolve_weights(SPEC, explicit) == explicit
    assert calls == []  # never tried to download


def test_missing_explicit_or_env_file_is_an_error(homes, monkeypatch):
    tmp, _ = homes
    _touch(tmp / "cgtk" / "weights" / SPEC.filename)  # not a silent fall-back
    with pytest.raises(CgtkError, match="demo_weights=.*no such file"):
        resolve_weights(SPEC, tmp / "missing.h5")
    monkeypatch.setenv("CGTK_DEMO_WEIGHTS", str(tmp / "missing.h5"))
    with pytest.raises(CgtkError, match="CGTK_DEMO_WEIGHTS=.*no such file"):
        resolve_weights(SPEC)


def test_offline_download_is_one_line(homes):
    tmp, calls = homes
    with pytest.raises(CgtkError) as info:
        resolve_weights(SPEC)
    text = str(info.value)
    assert "\n" not in text
    for part in (SPEC.filename, SPEC.url, "--set demo_weights=PATH", "CGTK_DEMO_WEIGHTS",
                 str(tmp / "cgtk" / "weights"), str(tmp / "keras" / "models"),
                 "URL fetch failure"):
        assert part in text
    assert "random" not in text  # this file has no random stand-in
    # the download went to the Keras cache, with the hash
    (_, kwargs), = calls
    assert kwargs["cache_dir"] == str(tmp / "keras") and kwargs["cache_subdir"] == "models"


def test_offline_vgg_names_the_random_stand_in(homes):
    """Offline, a VGG download error also says how to bench or smoke-test without it."""
    from cgtk.losses.perceptual import VGG_WEIGHTS

    with pytest.raises(CgtkError) as info:
        resolve_weights(VGG_WEIGHTS["vgg19"])
    text = str(info.value)
    assert "\n" not in text and "CGTK_VGG19_WEIGHTS" in text
    assert "--set vgg_weights=none uses random weights" in text


def test_no_download_mode(homes):
    _, calls = homes
    with pytest.raises(CgtkError, match="no local copy"):
        resolve_weights(SPEC, download=False)
    assert calls == []


def test_successful_download_returns_the_file(homes, monkeypatch):
    tmp, _ = homes

    def fake_get_file(fname, origin, cache_subdir, file_hash, cache_dir):
        return str(_touch(tmp / "keras" / cache_subdir / fname))

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    assert resolve_weights(SPEC) == tmp / "keras" / "models" / SPEC.filename
