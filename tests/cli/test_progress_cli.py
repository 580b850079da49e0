"""Progress for long work, as plain lines when stderr is not a terminal (as here, and in
CI logs): `cgtk infer` over a folder, `cgtk export`'s parity check, dataset downloads.
(The bar itself, on a terminal: tests/test_progress.py.)"""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image

from cgtk.cli.main import main
from cgtk.data import fetch


@pytest.fixture(scope="module")
def upscaler(tmp_path_factory):
    import keras

    inputs = keras.Input((None, None, 3))
    outputs = keras.layers.UpSampling2D(2, interpolation="bilinear")(inputs)
    path = tmp_path_factory.mktemp("sr") / "x2.keras"
    keras.Model(inputs, outputs).save(path)
    return path


def test_infer_over_a_folder_reports_progress(upscaler, tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        Image.fromarray(np.full((16, 16, 3), 40 * i, np.uint8)).save(src / f"{i}.png")
    assert main(["infer", str(upscaler), "--input", str(src), "--output",
                 str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "infer: 1/3 images (33%)" in err and "ETA" in err
    assert "infer: 3/3 images, done in" in err


def test_export_parity_reports_progress(upscaler, tmp_path, capsys):
    assert main(["export", str(upscaler), "--format", "keras", "--output",
                 str(tmp_path / "x2-export.keras")]) == 0
    err = capsys.readouterr().err
    assert "export keras + parity: 1/4 steps" in err           # 1 export + 3 parity inputs
    assert "export keras + parity: 4/4 steps, done in" in err


def test_download_reports_progress(tmp_path, capsys):
    payload = bytes(range(256)) * 64

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/blob.bin"
        fetch.download(url, tmp_path / "blob.bin", size=len(payload))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert (tmp_path / "blob.bin").read_bytes() == payload
    assert "blob.bin: 16.0 KB of 16.0 KB, done in" in capsys.readouterr().err
