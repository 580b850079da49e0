"""The report in a real browser: headless Chromium (Debian's ``chromium`` package; .ci/run
installs it) opens the page from file://, with no network. The page loads with no
console output at all (no errors, no failed resource), its loss charts have drawn
(the page's script counts its SVG paths into data attributes, read back with
--dump-dom), and every sample image decoded (naturalWidth > 0). A screenshot is kept
under test-artifacts/report/ (or $CGTK_TEST_ARTIFACTS) and its path printed."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import REPO

from cgtk.report import write_report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND",        # nothing may come from a network
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if not found:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium; "
                    ".ci/run installs it): the report's browser test cannot run")
    return found


def _run(tmp_path, name, *args):
    profile = tmp_path / f"profile-{name}"                   # a fresh profile every time
    result = subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _body_attrs(dom: str) -> dict:
    body = re.search(r"<body([^>]*)>", dom)
    assert body, dom[:2000]
    return dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))


def _artifacts() -> Path:
    folder = Path(os.environ.get("CGTK_TEST_ARTIFACTS", REPO / "test-artifacts")) / "report"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("inline", [True, False], ids=["inlined", "linked"])
def test_report_renders_in_chromium(demo_run, tmp_path, inline):
    page = write_report(demo_run, (tmp_path if inline else demo_run) / "report-test.html",
                        inline=inline)
    html = page.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", html, re.I)
    assert "url(http" not in html and "@import" not in html

    dumped = _run(tmp_path, "dom", "--dump-dom", page.as_uri())
    console = [line for line in dumped.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console                           # no errors, no failed loads
    attrs = _body_attrs(dumped.stdout)
    assert attrs.get("data-js-errors") == "0", attrs.get("data-js-error-text")
    # 4 loss panels (G_GAN, G_L1, loss_generator, D) + the learning rates
    assert int(attrs["data-charts"]) == 5, attrs
    assert int(attrs["data-paths"]) >= 6, attrs             # 2 lr lines share a panel
    assert attrs["data-images-total"] == "2" and attrs["data-images-decoded"] == "2", attrs
    widths = re.findall(r'data-natural-width="(\d+)"', dumped.stdout)
    assert len(widths) == 2 and all(int(w) > 0 for w in widths)

    shot = _artifacts() / f"report-{'inlined' if inline else 'linked'}.png"
    _run(tmp_path, "shot", "--window-size=1280,2200", "--hide-scrollbars",
         f"--screenshot={shot}", page.as_uri())
    assert shot.stat().st_size > 20_000
    print(f"screenshot of the report: {shot}")
    if not inline:
        page.unlink()
