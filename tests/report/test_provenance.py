"""Where each config value came from (config.json's ``provenance``, shown by the report)."""
from dataclasses import dataclass

from cgtk.config import TrainConfig, option, value_sources


@dataclass
class Config(TrainConfig):
    ngf: int = option(64, "width", paper="Isola et al. 2017")
    lambda_l1: float = option(100.0, "weight", paper="Isola et al. 2017")


def test_every_layer_is_named(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text("lambda_l1 = 10.0\nkeep = 5\n")
    s = value_sources(Config, file=toml, sets=["ngf=8"], values={"epochs": 2, "seed": None})
    assert s["ngf"] == "--set" and s["epochs"] == "flag"
    assert s["lambda_l1"] == f"toml {toml}" and s["keep"] == f"toml {toml}"
    assert s["seed"] == "default" and s["batch_size"] == "default"


def test_resume_keeps_the_first_runs_sources_unless_overridden():
    base = {"ngf": 8, "epochs": 2, "keep": 3}
    first = {"ngf": "--set", "epochs": "flag", "keep": "default"}
    s = value_sources(Config, values={"epochs": 4}, base=base, base_sources=first)
    assert s["ngf"] == "--set" and s["keep"] == "default" and s["epochs"] == "flag"
    assert value_sources(Config, base=base)["ngf"] == "resume"   # a run without the record
