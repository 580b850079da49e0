"""`cgtk report`: the page beside the run (linked images) or anywhere (inlined), the
live rewrite by `cgtk train`, --open, and a one-line error for a folder that is no run."""
import re
import webbrowser

from cgtk.cli.main import main


def test_train_writes_the_report_and_report_rewrites_it(toy_run, capsys):
    page = toy_run / "report.html"
    assert page.is_file()                                    # written by cgtk train
    page.unlink()
    assert main(["report", str(toy_run)]) == 0
    assert f"wrote {page}" in " ".join(capsys.readouterr().out.split())
    html = page.read_text()
    assert 'src="samples/epoch-001.png"' in html            # linked: the page stays small
    assert "toy" in html and "finished" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", html, re.I)


def test_output_elsewhere_is_self_contained(toy_run, tmp_path):
    out = tmp_path / "sub" / "page.html"
    assert main(["report", str(toy_run), "--output", str(out)]) == 0
    html = out.read_text()
    assert 'src="data:image/png;base64,' in html and "samples/epoch-001.png\"" not in html
    assert main(["report", str(toy_run), "--output", str(tmp_path), "--link"]) == 0
    assert "samples/epoch-001.png" in (tmp_path / "report.html").read_text()


def test_open_starts_a_browser_on_the_file(toy_run, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    assert main(["report", str(toy_run), "--output", str(tmp_path / "r.html"), "--open"]) == 0
    assert opened == [(tmp_path / "r.html").resolve().as_uri()]


def test_not_a_run_is_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a cgtk run directory" in err
    assert not (tmp_path / "report.html").exists()
