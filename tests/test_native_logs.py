"""TensorFlow's native start-up chatter is held back; real native errors are not."""
import os
import sys

from helpers import run_cli, run_python

from cgtk.native_logs import drop_chatter, filtered_native_stderr

# What `import tensorflow` and the first device query wrote on this CPU-only machine
# (TF 2.21), plus records that must survive.
BANNER = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
ONEDNN = ("I0000 00:00:1796082585.885357    7233 port.cc:153] oneDNN custom operations are on. "
          "You may see slightly different numerical results.\n")
NO_DRIVER = ("I0000 00:00:1796082585.885825    7233 cudart_stub.cc:31] Could not find cuda "
             "drivers on your machine, GPU will not be used.\n")
CPU_FEATURES = ("I0000 00:00:1796082585.960793    7233 cpu_feature_guard.cc:227] This TensorFlow "
                "binary is optimized to use available CPU instructions.\n"
                "To enable the following instructions: AVX2 AVX512F FMA, in other operations, "
                "rebuild TensorFlow with the appropriate compiler flags.\n")
CUINIT = ("E0000 00:00:1796082590.659247    6768 cuda_platform.cc:52] failed call to cuInit: "
          "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)\n")
WARNING = "W0000 00:00:1796082590.7    6768 foo.cc:9] a warning\n"
REAL_ERROR = "E0000 00:00:1796082591.1    6768 kernel.cc:77] OOM when allocating tensor\n"
FATAL = "F0000 00:00:1796082591.2    6768 check.cc:5] Check failed: x == y\n"
PYTHON = "a line that is not a native log record\n"
REMAPPER = ("E0000 00:00:1796086037.857651   14661 meta_optimizer.cc:967] remapper failed: "
            "INVALID_ARGUMENT: Mutation::Apply error: fanout 'gradient_tape/D_3/leaky_re_lu_5_1/"
            "LeakyRelu/LeakyReluGrad' exist for missing node 'D_3/conv2d_6_1/BiasAdd'.\n")


def test_chatter_is_dropped_and_errors_kept():
    text = BANNER + ONEDNN + NO_DRIVER + CPU_FEATURES + BANNER + ONEDNN + CUINIT + WARNING \
        + REAL_ERROR + REMAPPER + PYTHON + FATAL
    assert drop_chatter(text, min_level=2) == REAL_ERROR + PYTHON + FATAL


def test_lines_after_a_dropped_record_are_kept():
    # e.g. a Python warning written between two native records
    assert drop_chatter(ONEDNN + PYTHON + NO_DRIVER, min_level=2) == PYTHON


def test_tflite_info_lines_are_chatter():
    xnnpack = "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"
    assert drop_chatter(xnnpack + PYTHON, min_level=2) == PYTHON
    assert drop_chatter(xnnpack, min_level=0) == xnnpack


def test_the_log_level_decides_and_level_zero_keeps_records():
    assert drop_chatter(ONEDNN + WARNING + REAL_ERROR, min_level=1) == WARNING + REAL_ERROR
    assert drop_chatter(ONEDNN + CPU_FEATURES, min_level=0) == ONEDNN + CPU_FEATURES
    assert drop_chatter(REAL_ERROR + FATAL, min_level=3) == FATAL


def test_a_cuinit_failure_is_kept_when_a_driver_was_found():
    # with a driver, a failing cuInit is why the GPU went unused: the user must see it
    assert drop_chatter(ONEDNN + CUINIT, min_level=2) == CUINIT


def test_native_writes_are_filtered_and_python_writes_kept(capfd, monkeypatch):
    monkeypatch.delenv("CGTK_DEBUG", raising=False)
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    with filtered_native_stderr():
        os.write(2, (BANNER + ONEDNN + NO_DRIVER + CUINIT + REAL_ERROR).encode())
        print("from python", file=sys.stderr)
    err = capfd.readouterr().err  # (pytest's sys.stderr bypasses fd 2, so order differs)
    assert sorted(err.splitlines(keepends=True)) == sorted([REAL_ERROR, "from python\n"])


def test_cgtk_debug_shows_everything(capfd, monkeypatch):
    monkeypatch.setenv("CGTK_DEBUG", "1")
    with filtered_native_stderr():
        os.write(2, (BANNER + ONEDNN).encode())
    assert capfd.readouterr().err == BANNER + ONEDNN


def test_a_failing_command_prints_its_error_and_no_tensorflow_chatter():
    result = run_cli("train", "cyclegan", "--data", "demo", "--set", "colour=red",
                     TF_CPP_MIN_LOG_LEVEL=2)
    assert result.returncode == 1
    assert "unknown config key 'colour'" in result.stderr
    for chatter in ("absl::InitializeLog", "oneDNN custom operations", "cuda drivers",
                    "cuInit", "cpu_feature_guard"):
        assert chatter not in result.stderr, result.stderr


def test_docstring_example():
    import doctest

    import cgtk.native_logs

    result = doctest.testmod(cgtk.native_logs)
    assert result.attempted > 0 and result.failed == 0


def test_a_crash_inside_the_block_loses_no_error():
    code = f"""
    import os, signal
    from cgtk.native_logs import filtered_native_stderr
    with filtered_native_stderr():
        os.write(2, {(ONEDNN + REAL_ERROR).encode()!r})
        os.kill(os.getpid(), signal.SIGKILL)
    """
    result = run_python(code, TF_CPP_MIN_LOG_LEVEL=2)  # cgtk's default (the tests' is 3)
    assert result.returncode == -9
    assert result.stderr == REAL_ERROR


def test_training_from_the_cli_prints_no_tensorflow_chatter(tmp_path):
    result = run_cli("train", "pix2pix", "--data", "demo", "--epochs", "1",
                     "--steps-per-epoch", "1", "--batch-size", "1", "--image-size", "32",
                     "--set", "load_size=36", "--set", "num_downs=5", "--set", "ngf=4",
                     "--set", "ndf=4", "--run-dir", tmp_path / "run", TF_CPP_MIN_LOG_LEVEL=2)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "step 1/1" in result.stderr + result.stdout
    for chatter in ("absl::InitializeLog", "oneDNN custom operations", "cuInit",
                    "remapper failed"):
        assert chatter not in result.stderr, result.stderr


def test_the_import_hook_leaves_tensorflow_as_a_plain_import_would():
    code = """
    import sys
    from cgtk.backend_env import select_backend
    select_backend(None)
    import tensorflow as tf
    hooks = [f for f in sys.meta_path if type(f).__name__ == "_TensorFlowImportFinder"]
    print("RESULT", type(tf.__spec__.loader).__name__, type(tf.__loader__).__name__,
          len(hooks), float(tf.reduce_sum(tf.ones(3))))
    """
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "RESULT SourceFileLoader SourceFileLoader 0 3.0" in result.stdout
    assert "oneDNN custom operations" not in result.stderr, result.stderr
