"""The README's demo run, much shorter (2 epochs x 3 steps, 8 base channels), trained
once per session through the CLI, then evaluated and exported so the report has every
section."""
import pytest

from cgtk.cli.main import main

TRAIN = ["train", "pix2pix", "--data", "demo", "--epochs", "2", "--steps-per-epoch", "3",
         "--image-size", "64", "--batch-size", "2", "--set", "load_size=72",
         "--set", "num_downs=6", "--set", "ngf=8", "--set", "ndf=8", "--set", "log_every=1",
         "--set", "num_samples=2", "--seed", "3"]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("report-demo")
    run = root / "demo"
    assert main([*TRAIN, "--run-dir", str(run)]) == 0
    assert main(["eval", str(run), "--limit", "2"]) == 0
    assert main(["export", str(run), "--format", "keras", "--output",
                 str(root / "exported" / "generator.keras")]) == 0
    return run
