"""The one builder: resolve(request) decides without building, reads a --config file
once and records where each value came from; build(spec) hands the trainer every piece
in its constructor; cgtk train, cgtk bench and check_plugin all build through
build_model."""
import warnings

import pytest

from cgtk.engine import builder
from cgtk.engine.builder import TrainRequest, build, resolve


def _request(tmp_path, **kw):
    return TrainRequest(plugin="toy", data="demo", run_dir=tmp_path / "run",
                        flags={"epochs": 1, "steps_per_epoch": 2, "seed": 1,
                               "backend": "tensorflow"}, **kw)


def test_resolve_merges_once_with_provenance_and_builds_nothing(toy_site, tmp_path,
                                                                monkeypatch):
    import keras

    import cgtk.config

    toml = tmp_path / "c.toml"
    toml.write_text("lambda_l1 = 3.0\nbatch_size = 2\n")
    reads = []
    real = cgtk.config.read_toml
    monkeypatch.setattr(cgtk.config, "read_toml", lambda p: reads.append(p) or real(p))
    policy = keras.config.dtype_policy().name
    spec = resolve(_request(tmp_path, config_file=toml, sets=["batch_size=4"]))
    assert len(reads) == 1, "the --config file is read once"
    assert (spec.config.lambda_l1, spec.config.batch_size) == (3.0, 4)
    assert spec.provenance["lambda_l1"] == f"toml {toml}"
    assert spec.provenance["batch_size"] == "--set"
    assert spec.provenance["epochs"] == "flag"
    assert spec.cls.__name__ and spec.source is not None and spec.backend == "tensorflow"
    assert not (tmp_path / "run").exists(), "resolve writes nothing"
    assert keras.config.dtype_policy().name == policy


def test_build_gives_the_trainer_every_piece(toy_site, tmp_path):
    seen = []

    def factory(trainer):
        seen.append(trainer)
        return []

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer = build(resolve(_request(tmp_path)), callbacks=factory)
    try:
        assert seen == [trainer], "a callback factory is called with the trainer"
        assert trainer.distribution.kind == "one" and trainer.jit is False
        assert trainer.source is not None and trainer.stepper is not None
        assert trainer.callbacks == [] and not trainer.finished
        assert (tmp_path / "run" / "config.json").is_file()
    finally:
        trainer.run.unlock()


def test_bench_and_check_plugin_build_through_build_model(toy_site, monkeypatch):
    from toyplugin.model import ToyGAN

    from cgtk.bench import runner
    from cgtk.testing import check_plugin

    calls = []
    real = builder.build_model

    def counting(*args, **kwargs):
        calls.append(kwargs.get("train", True))
        return real(*args, **kwargs)

    monkeypatch.setattr(builder, "build_model", counting)
    info, config = runner.resolve("toy", backend="tensorflow", image_size=32, batch_size=2)
    built = runner.build_model(info.cls, config, jit=False)
    assert built.stepper is not None and calls == [True]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_plugin(ToyGAN)
    assert calls == [True, True]


def test_init_from_with_resume_is_refused_before_anything_is_built(toy_site, tmp_path):
    from cgtk.errors import CgtkError

    with pytest.raises(CgtkError, match="--init-from starts a new run"):
        resolve(TrainRequest(resume=tmp_path, init_from=tmp_path))
