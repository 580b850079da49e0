"""The example third-party plugin, pip-installed for real into a throwaway venv."""
import json
import site
import subprocess
import sys

import pytest
from helpers import REPO, env_with

EXAMPLE = REPO / "examples" / "cgtk-plugin-example"


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory):
    """A new virtual environment that sees this environment's packages (cgtk included)."""
    root = tmp_path_factory.mktemp("example-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    parents = [p for p in site.getsitepackages() if "site-packages" in p]
    lines = [f"import site; site.addsitedir({p!r})" for p in parents]
    (__import__("pathlib").Path(purelib) / "_parent_env.pth").write_text("\n".join(lines) + "\n")
    return python


@pytest.fixture(scope="module")
def installed(venv_python):
    install = subprocess.run(
        [venv_python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", str(EXAMPLE)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    return venv_python


def test_pip_installed_example_is_listed_and_loads(installed):
    venv_python = installed
    env = env_with()
    env.pop("CGTK_PLUGINS", None)
    listed = subprocess.run([venv_python, "-m", "cgtk.cli.main", "plugins", "list", "--json"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    infos = {i["name"]: i for i in json.loads(listed.stdout)}
    assert infos["example"]["status"] == "ok"
    assert infos["example"]["dist"] == "cgtk-plugin-example"
    assert infos["example"]["data_kind"] == "paired"
    shown = subprocess.run([venv_python, "-m", "cgtk.cli.main", "plugins", "show", "example",
                            "--json"], capture_output=True, text=True, env=env, timeout=300)
    assert shown.returncode == 0, shown.stderr
    payload = json.loads(shown.stdout)
    assert {f["name"] for f in payload["config"]} >= {"width", "depth", "lr", "epochs"}
    assert payload["networks"][0]["params"] > 0
    # the plain test environment does not see it: the install was isolated
    plain = subprocess.run([sys.executable, "-m", "cgtk.cli.main", "plugins", "list", "--json"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert "example" not in {i["name"] for i in json.loads(plain.stdout)}


def test_the_example_trains_and_infers_through_the_cli(installed, tmp_path):
    """Its loss method was named `loss`, which hides keras.Model.loss: `cgtk train`
    crashed with a raw TypeError. It must train, save and infer end to end."""
    env = env_with()
    env.pop("CGTK_PLUGINS", None)
    run = tmp_path / "run"
    trained = subprocess.run(
        [installed, "-m", "cgtk.cli.main", "train", "example", "--data", "demo", "--epochs", "1",
         "--steps-per-epoch", "2", "--batch-size", "2", "--image-size", "32",
         "--run-dir", str(run)], capture_output=True, text=True, env=env, timeout=600)
    assert trained.returncode == 0, trained.stderr[-2000:]
    assert (run / "generator.keras").is_file()
    images = tmp_path / "in"
    images.mkdir()
    from PIL import Image

    Image.new("RGB", (37, 29), (200, 40, 90)).save(images / "a.png")
    inferred = subprocess.run(
        [installed, "-m", "cgtk.cli.main", "infer", str(run), "--input", str(images),
         "--output", str(tmp_path / "out")], capture_output=True, text=True, env=env,
        timeout=600)
    assert inferred.returncode == 0, inferred.stderr[-2000:]
    assert Image.open(tmp_path / "out" / "a.png").size == (37, 29)
