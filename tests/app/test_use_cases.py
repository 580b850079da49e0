"""The other use cases in-process on one tiny trained run: each takes its typed request
and returns its typed result (the CLI tests cover the rendering)."""
import warnings

import numpy as np
import pytest
from PIL import Image

from cgtk.app.evaluate import EvalRequest, evaluate
from cgtk.app.export import ExportRequest, export
from cgtk.app.infer import InferRequest, infer
from cgtk.app.plugins import PluginsRequest, ShowRequest, list_plugins, show_plugin
from cgtk.app.report import ReportRequest, report
from cgtk.app.train import TrainRequest, train
from cgtk.errors import CgtkError


@pytest.fixture(scope="module")
def run(toy_site, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("cases") / "run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(TrainRequest(plugin="toy", data="demo", run_dir=run_dir,
                           flags={"epochs": 1, "steps_per_epoch": 1, "seed": 0,
                                  "backend": "tensorflow"}), callbacks=[])
    return run_dir


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i, size in enumerate([(24, 40), (33, 17)]):
        Image.fromarray(rng.integers(0, 255, (*size, 3), dtype=np.uint8)).save(
            folder / f"{i}.png")
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_infer_writes_every_image_at_its_size(run, images, tmp_path):
    result = infer(InferRequest(source=run, input=images, output=tmp_path / "out"))
    assert result.network == "generator" and result.ignored == 1 and not result.skipped
    sizes = sorted(Image.open(out).size for _, out in result.written)
    assert sizes == [(17, 33), (40, 24)]


def test_infer_refuses_bad_values_before_loading(run, images, tmp_path):
    with pytest.raises(CgtkError, match="--quality 0"):
        infer(InferRequest(source=run, input=images, output=tmp_path / "o", quality=0))
    with pytest.raises(CgtkError, match="--format gif"):
        infer(InferRequest(source=run, input=images, output=tmp_path / "o", fmt="gif"))


def test_export_checks_parity_and_records_it(run, tmp_path):
    result = export(ExportRequest(source=run, fmt="keras", output=tmp_path / "g"))
    assert result.ok and result.path.suffix == ".keras" and result.path.is_file()
    assert result.report["network"] == "generator"
    assert (run / "exports.json").is_file()


def test_eval_returns_the_report_and_keeps_it_in_the_run(run):
    result = evaluate(EvalRequest(source=run, data="demo", limit=4))
    assert result.report["results"] and result.kept_in == run / "eval.json"
    assert result.kept_in.is_file()


def test_report_writes_one_page(run):
    assert report(ReportRequest(run)).path == run / "report.html"
    assert (run / "report.html").stat().st_size > 1000


def test_plugins_lists_and_shows(toy_site):
    names = [p.name for p in list_plugins(PluginsRequest()).plugins]
    assert {"toy", "cyclegan", "pix2pix"} <= set(names)
    shown = show_plugin(ShowRequest("toy"))
    assert "lambda_l1" in [f["name"] for f in shown.fields]
    assert [n["name"] for n in shown.networks] and shown.info.name == "toy"
