"""The page for runs that recorded little (an older run) or are still training."""
import json

from cgtk.report import status, write_report


def _bare_run(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"plugin": {"name": "toy"},
                                                 "config": {"epochs": 3}}))
    return run


def test_what_is_not_recorded_shows_as_unknown(tmp_path):
    run = _bare_run(tmp_path)
    html = write_report(run).read_text()
    assert 'id="run-state">unknown<' in html
    assert "no losses logged yet" in html and "no sample grids yet" in html
    assert "not evaluated yet" in html and '<span class="src unknown">unknown</span>' in html
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "report.html"]


def test_a_running_run_reloads_itself(tmp_path):
    run = _bare_run(tmp_path)
    (run / "metrics.csv").write_text("step,epoch,time,G,loss_g,lr_g\n1,1,0,0.5,0.5,1e-4\n"
                                     "2,1,1,nan,0.4,1e-4\n")
    status.begin_session(run, step=0)                    # this process: alive, so running
    html = write_report(run).read_text()
    assert 'http-equiv="refresh"' in html and 'id="run-state">running<' in html
    data = json.loads(html.split('id="cgtk-data">')[1].split("</script>")[0])
    assert data["losses"]["groups"] == [{"phase": "g", "series": [
        {"name": "G", "values": [0.5, None], }, {"name": "loss_g", "values": [0.5, 0.4],
                                                  "total": True}]}]
    status.end_session(run, "interrupted", step=2)
    html = write_report(run).read_text()
    assert 'http-equiv="refresh"' not in html and 'id="run-state">stopped<' in html
