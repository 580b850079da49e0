import hashlib
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from datafiles import jpeg_bytes, pattern

from cgtk.data import fetch, known, resolve_source
from cgtk.errors import CgtkError


def _dataset_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for d in ("trainA", "trainB", "testA", "testB"):
            for i in range(2):
                zf.writestr(f"tiny/{d}/{i}.jpg", jpeg_bytes(pattern(24, 24, i)))
    return buf.getvalue()


PAYLOAD = _dataset_zip()
SHA = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture()
def server():
    """A local HTTP server with Range support serving PAYLOAD at /tiny.zip."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            rng = self.headers.get("Range")
            requests.append(rng)
            if self.path != "/tiny.zip":
                self.send_error(404)
                return
            start = int(rng.split("=")[1].split("-")[0]) if rng else 0
            if start >= len(PAYLOAD):
                self.send_response(416)
                self.end_headers()
                return
            body = PAYLOAD[start:]
            self.send_response(206 if rng else 200)
            if rng:
                self.send_header("Content-Range",
                                 f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


def _register(monkeypatch, url, sha256=SHA):
    entry = known.KnownDataset(name="tiny", kind="unpaired", summary="test set",
                               downloads=(known.Download(url, "tiny.zip", sha256=sha256),),
                               subdir="tiny", citation="none", licence="test")
    monkeypatch.setitem(known.KNOWN, "tiny", entry)
    return entry


def test_resume_partial_download(server, tmp_path):
    base, requests = server
    dest = tmp_path / "tiny.zip"
    (tmp_path / "tiny.zip.part").write_bytes(PAYLOAD[:1000])
    fetch.download(f"{base}/tiny.zip", dest, sha256=SHA, progress=False)
    assert dest.read_bytes() == PAYLOAD
    assert requests == ["bytes=1000-"]
    assert not (tmp_path / "tiny.zip.part").exists()


def test_checksum_mismatch_deletes_file(server, tmp_path):
    base, _ = server
    with pytest.raises(CgtkError, match="sha256"):
        fetch.download(f"{base}/tiny.zip", tmp_path / "t.zip", sha256="0" * 64, progress=False)
    assert not (tmp_path / "t.zip").exists()
    with pytest.raises(CgtkError, match="expected 1"):
        fetch.download(f"{base}/tiny.zip", tmp_path / "u.zip", size=1, progress=False)


def test_fetch_extracts_and_source_resolves(server, monkeypatch, cgtk_home):
    base, requests = server
    _register(monkeypatch, f"{base}/tiny.zip")
    root = fetch.fetch("tiny", progress=False)
    assert root == cgtk_home / "datasets" / "tiny" / "tiny"
    assert fetch.is_fetched("tiny")
    assert not (cgtk_home / "datasets" / "tiny" / "tiny.zip").exists()
    src = resolve_source("tiny", "unpaired")
    assert (src.origin, src.layout, src.root) == ("known", "cyclegan", root)
    assert src.files().counts() == {"train": {"A": 2, "B": 2}, "test": {"A": 2, "B": 2}}
    fetch.fetch("tiny", progress=False)  # cached: no second request
    assert len(requests) == 1


def test_fetch_into_root(server, monkeypatch, tmp_path):
    base, _ = server
    _register(monkeypatch, f"{base}/tiny.zip")
    assert fetch.fetch("tiny", tmp_path / "elsewhere", progress=False) == (
        tmp_path / "elsewhere" / "tiny" / "tiny")


def test_offline_is_one_line(monkeypatch, cgtk_home):
    _register(monkeypatch, "http://127.0.0.1:9/x.zip")
    with pytest.raises(CgtkError) as info:
        fetch.fetch("tiny", progress=False)
    message = str(info.value)
    assert "\n" not in message
    assert "http://127.0.0.1:9/x.zip" in message
    assert str(cgtk_home / "datasets" / "tiny") in message


def test_hand_placed_archive_is_used(monkeypatch, cgtk_home):
    _register(monkeypatch, "http://127.0.0.1:9/x.zip")
    folder = cgtk_home / "datasets" / "tiny"
    folder.mkdir(parents=True)
    (folder / "tiny.zip").write_bytes(PAYLOAD)
    assert fetch.fetch("tiny", progress=False) == folder / "tiny"


def test_manual_dataset_gives_instructions():
    with pytest.raises(CgtkError, match="cityscapes-dataset.com"):
        fetch.fetch("cityscapes", progress=False)
