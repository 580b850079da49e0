import io
import tarfile
import zipfile

import pytest

from cgtk.data.extract import safe_extract
from cgtk.errors import CgtkError


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name, data=b"x"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _link(name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def test_good_zip_and_tar_extract(tmp_path):
    safe_extract(_zip(tmp_path / "a.zip", [("set/trainA/1.txt", "hi")]), tmp_path / "out")
    assert (tmp_path / "out" / "set" / "trainA" / "1.txt").read_text() == "hi"
    archive = _tar(tmp_path / "a.tar.gz", [_file("set/train/1.txt"),
                                           _link("set/train/alias", "1.txt")])
    safe_extract(archive, tmp_path / "out2")
    assert (tmp_path / "out2" / "set" / "train" / "1.txt").read_bytes() == b"x"
    assert not list((tmp_path / "out2").glob(".extracting*"))


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "ok/../../evil.txt",
                                  "C:/evil.txt"])
def test_zip_rejects_escaping_names(tmp_path, name):
    archive = _zip(tmp_path / "bad.zip", [("fine.txt", "x"), (name, "boom")])
    with pytest.raises(CgtkError, match="unsafe archive member"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "out" / "fine.txt").exists()  # nothing written


def test_zip_rejects_symlink_outside(tmp_path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("data/link")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "../../etc/passwd")
    with pytest.raises(CgtkError, match="outside"):
        safe_extract(archive, tmp_path / "out")


@pytest.mark.parametrize("member", [
    _file("../evil.txt"), _file("/tmp/evil.txt"),
    _link("data/link", "../../outside"), _link("data/link", "/etc/passwd"),
    _link("data/hard", "../x", tarfile.LNKTYPE),
])
def test_tar_rejects_escaping_members(tmp_path, member):
    archive = _tar(tmp_path / "bad.tar.gz", [_file("fine.txt"), member])
    with pytest.raises(CgtkError, match="unsafe archive member"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out" / "fine.txt").exists()


def test_not_an_archive(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"garbage")
    with pytest.raises(CgtkError, match="not a zip or tar"):
        safe_extract(tmp_path / "x.zip", tmp_path / "out")
