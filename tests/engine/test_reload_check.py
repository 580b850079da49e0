"""`cgtk train` reloads its .keras files as `cgtk infer` will, before it exits 0."""
from cgtk.cli.main import main


def test_an_unregistered_custom_layer_fails_training_with_the_class_and_the_fix(
        tmp_path, toy_site, capsys):
    """Training used to exit 0; `cgtk infer` then failed with a truncated TypeError."""
    run = tmp_path / "run"
    code = main(["train", "toy", "--data", "demo", "--epochs", "1", "--steps-per-epoch", "1",
                 "--set", "unregistered_layer=true", "--run-dir", str(run)])
    err = capsys.readouterr().err
    assert code == 1
    line = " ".join(err.split())
    assert "generator.keras was saved but does not reload" in line
    assert "'Unregistered'" in line and "register_keras_serializable" in line
    assert (run / "checkpoints").is_dir()  # the trained state is kept
