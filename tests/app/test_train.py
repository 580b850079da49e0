"""The train and resume use cases, called in-process as the CLI calls them: typed
request in, typed result out, and the feedback the CLI renders."""
import warnings

import pytest

from cgtk.app.feedback import Feedback
from cgtk.app.resume import ResumeRequest, locate_run, resume
from cgtk.app.train import TrainRequest, TrainResult, train
from cgtk.errors import CgtkError


class Recorder(Feedback):
    def __init__(self):
        self.lines = []

    def info(self, message):
        self.lines.append(("info", message))

    def warn(self, message):
        self.lines.append(("warn", message))


def _request(run_dir, epochs=1, **flags):
    return TrainRequest(plugin="toy", data="demo", run_dir=run_dir,
                        flags={"epochs": epochs, "steps_per_epoch": 2, "seed": 3,
                               "backend": "tensorflow", **flags})


@pytest.fixture(scope="module")
def trained(toy_site, tmp_path_factory):
    run = tmp_path_factory.mktemp("app") / "run"
    feedback = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = train(_request(run), feedback, callbacks=[])
    return run, result, feedback


def test_train_returns_a_typed_result_and_says_what_it_does(trained):
    run, result, feedback = trained
    assert isinstance(result, TrainResult)
    assert (result.status, result.exit_code, result.global_step) == ("finished", 0, 2)
    assert result.run_dir == run and result.inference_files == ["generator.keras"]
    assert (run / "generator.keras").is_file() and (run / "config.json").is_file()
    said = " ".join(m for _, m in feedback.lines)
    assert "preparing" in said and "starting: toy on tensorflow" in said


def test_resume_of_a_finished_run_does_nothing_and_more_epochs_continue(trained):
    run, _, _ = trained
    again = resume(ResumeRequest(str(run), TrainRequest(flags={"backend": "tensorflow"})),
                   callbacks=[])
    assert (again.status, again.global_step) == ("already_finished", 2)
    feedback = Recorder()
    more = resume(ResumeRequest(None, TrainRequest(run_dir=run, flags={"epochs": 2})),
                  feedback, callbacks=[])
    assert (more.status, more.global_step, more.epochs) == ("finished", 4, 2)
    said = " ".join(m for _, m in feedback.lines)
    assert "1 epoch done (2 steps); continuing with epoch 2 of 2" in said
    assert "overriding epochs: 1 -> 2" in said


def test_locate_run_names_what_is_wrong(tmp_path):
    with pytest.raises(CgtkError, match="needs a run directory"):
        locate_run(None, None)
    with pytest.raises(CgtkError, match="no such directory"):
        locate_run(str(tmp_path / "missing"), None)
    with pytest.raises(CgtkError, match="not a cgtk run directory"):
        locate_run(str(tmp_path), None)
    assert locate_run("toy", tmp_path) == (tmp_path, "toy")
