"""`cgtk train` argument and data errors: one line, exit 1, before TensorFlow loads."""
from helpers import run_python


def test_bad_data_fails_fast_without_importing_tensorflow(tmp_path):
    code = f"""
    import sys
    from cgtk.cli.main import main
    rc1 = main(["train", "pix2pix", "--data", "{tmp_path / 'missing'}"])
    rc2 = main(["train", "cyclegan"])          # horse2zebra: not cached, and offline
    rc3 = main(["train", "--resume"])
    print("RESULT", rc1, rc2, rc3, "tensorflow" in sys.modules)
    """
    result = run_python(code, CGTK_HOME=tmp_path / "home",
                        http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "RESULT 1 1 1 False" in result.stdout
    err = result.stderr
    assert "no such folder and not a known dataset" in err
    assert "horse2zebra.zip" in err and "datasets/horse2zebra" in err
    assert "--resume needs a run directory" in err
    assert "Traceback" not in err
