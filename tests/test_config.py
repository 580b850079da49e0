from dataclasses import dataclass

import pytest

from cgtk.config import TrainConfig, describe_fields, fixed_keys, option, resolve_config
from cgtk.errors import CgtkError


@dataclass
class DemoConfig(TrainConfig):
    ngf: int = option(64, "generator width", fixed=True)
    lambda_l1: float = option(100.0, "L1 weight", paper="Isola et al. 2017")
    gan_mode: str = option("vanilla", "adversarial loss", choices=["vanilla", "lsgan"])
    layers: tuple[str, ...] = option(["relu1_2", "relu2_2"], "VGG layers")
    init_from: str | None = option(None, "a run to start from")
    batch_size: int = option(16, "global batch size")


def test_defaults_come_from_the_plugin_config():
    cfg = resolve_config(DemoConfig)
    assert cfg.batch_size == 16 and cfg.ngf == 64 and cfg.epochs == 200
    assert cfg.layers == ("relu1_2", "relu2_2")


def test_set_values_are_typed_from_the_field():
    cfg = resolve_config(DemoConfig, sets=["ngf=8", "lambda_l1=5", "flip=false",
                                           "layers=relu3_3, relu4_3", "init_from=none",
                                           "seed=3"])
    assert cfg.ngf == 8 and isinstance(cfg.ngf, int)
    assert cfg.lambda_l1 == 5.0 and isinstance(cfg.lambda_l1, float)
    assert cfg.flip is False
    assert cfg.layers == ("relu3_3", "relu4_3")
    assert cfg.init_from is None and cfg.seed == 3


def test_unknown_key_lists_valid_keys_and_suggests():
    with pytest.raises(CgtkError) as err:
        resolve_config(DemoConfig, sets=["lamda_l1=3"])
    text = str(err.value)
    assert "unknown config key 'lamda_l1'" in text
    assert "did you mean 'lambda_l1'" in text
    assert "ngf" in text and "batch_size" in text


@pytest.mark.parametrize("item, fragment", [
    ("ngf=wide", "ngf: expected int"),
    ("ngf=2.5", "ngf: expected int"),
    ("flip=maybe", "flip: expected true or false"),
    ("gan_mode=wgan", "is not one of: vanilla, lsgan"),
    ("novalue", "expected KEY=VALUE"),
    ("batch_size=0", "batch_size must be at least 1"),
])
def test_bad_values_are_one_clear_error(item, fragment):
    with pytest.raises(CgtkError, match=fragment):
        resolve_config(DemoConfig, sets=[item])


def test_precedence_defaults_base_file_flags_set(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text('ngf = 16\nlambda_l1 = 7.5\nepochs = 3\n')
    cfg = resolve_config(DemoConfig, base={"ngf": 4, "epochs": 9, "keep": 7}, file=toml,
                         values={"epochs": 5, "seed": None}, sets=["lambda_l1=1"])
    assert (cfg.ngf, cfg.epochs, cfg.lambda_l1, cfg.keep) == (16, 5, 1.0, 7)


def test_toml_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("ngf = = 3")
    with pytest.raises(CgtkError, match="bad.toml: not valid TOML"):
        resolve_config(DemoConfig, file=bad)
    with pytest.raises(CgtkError, match="no such file"):
        resolve_config(DemoConfig, file=tmp_path / "missing.toml")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("colour = 3\n")
    with pytest.raises(CgtkError, match="unknown config key 'colour' in --config"):
        resolve_config(DemoConfig, file=unknown)


def test_describe_fields_and_fixed_keys():
    rows = {r["name"]: r for r in describe_fields(DemoConfig)}
    assert rows["ngf"]["fixed"] and not rows["ngf"]["common"]
    assert rows["lambda_l1"]["paper"] == "Isola et al. 2017"
    assert rows["gan_mode"]["choices"] == ["vanilla", "lsgan"]
    assert rows["init_from"]["type"] == "str | none"
    assert rows["layers"]["type"] == "list[str]"
    assert rows["epochs"]["common"]
    assert fixed_keys(DemoConfig) == ["ngf"]


@dataclass
class RateConfig(TrainConfig):
    lr: float = option(2e-4, "Adam learning rate")
    d_lr: float = option(1e-4, "discriminator learning rate")
    load_size: int | None = option(286, "resize before the crop")


@pytest.mark.parametrize("kwargs, message", [
    ({"sets": ["lr=nan"]}, "--set lr=nan: lr: expected a finite float above 0, got 'nan'"),
    ({"sets": ["lr=inf"]}, "--set lr=inf: lr: expected a finite float above 0, got 'inf'"),
    ({"sets": ["lr=-1e-4"]}, "--set lr=-1e-4: lr must be above 0, got -0.0001"),
    ({"sets": ["d_lr=0"]}, "--set d_lr=0: d_lr must be above 0, got 0.0"),
    ({"values": {"steps_per_epoch": 0}},
     "--steps-per-epoch 0: steps_per_epoch must be at least 1, got 0"),
    ({"values": {"checkpoint_every": 0}},
     "--checkpoint-every 0: checkpoint_every must be at least 1, got 0"),
    ({"sets": ["max_bad_fraction=1.5"]},
     "--set max_bad_fraction=1.5: max_bad_fraction must be between 0 and 1, got 1.5"),
    ({"sets": ["max_pixels=0"]}, "--set max_pixels=0: max_pixels must be at least 1, got 0"),
    ({"sets": ["load_size=200"], "values": {"image_size": 256}},
     "--set load_size=200: load_size=200 is below image_size=256: the crop is taken from "
     "the image resized to load_size, so load_size must be at least 256 (or none)"),
    ({"values": {"image_size": 320}},  # load_size=286 is the plugin's default
     "--image-size 320: load_size=286 is below image_size=320"),
])
def test_out_of_range_values_are_refused_naming_flag_and_range(kwargs, message):
    """Issue 21 item 9: one line naming the flag and the valid range."""
    with pytest.raises(CgtkError) as err:
        resolve_config(RateConfig, **kwargs)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_valid_edge_values_are_accepted():
    cfg = resolve_config(RateConfig, sets=["lr=1e-9", "max_bad_fraction=0", "load_size=256",
                                           "max_pixels=none", "steps_per_epoch=none"],
                         values={"image_size": 256, "checkpoint_every": 1})
    assert (cfg.load_size, cfg.max_pixels, cfg.steps_per_epoch) == (256, None, None)
    assert resolve_config(RateConfig, sets=["load_size=none"], values={"image_size": 512})


def test_toml_value_errors_name_the_file_the_line_the_key_and_the_type(tmp_path):
    """Issue 17, plugin-author defect 7: a bad value in --config FILE.toml."""
    toml = tmp_path / "run.toml"
    toml.write_text('epochs = 3\n\n# the batch\nbatch_size = "four"\n')
    with pytest.raises(CgtkError) as err:
        resolve_config(RateConfig, file=toml)
    assert str(err.value) == (f"--config {toml}, line 4: batch_size: expected int, "
                              "got 'four'")
    toml.write_text('[config]\nepochs = 3\nflip = "sometimes"\n')
    with pytest.raises(CgtkError, match=r"run.toml, line 3: flip: expected true or false"):
        resolve_config(RateConfig, file=toml)
    toml.write_text("lr = -0.5\n")
    with pytest.raises(CgtkError, match=r"run.toml, line 1: lr = -0.5: lr must be above 0"):
        resolve_config(RateConfig, file=toml)
    toml.write_text("epochs = 2\nlrr = 0.1\n")
    with pytest.raises(CgtkError, match=r"unknown config key 'lrr' in --config .*run.toml, "
                                        r"line 2; did you mean 'lr'"):
        resolve_config(RateConfig, file=toml)
