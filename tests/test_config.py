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
