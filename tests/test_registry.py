"""find → load → classify, on fake installed distributions."""
import pytest
from helpers import make_distribution, run_python

from cgtk import registry
from cgtk.errors import CgtkError

GOOD_SPEC = """
import cgtk
plugin = cgtk.Plugin(model="regt_good.model:Good", summary="a good one", data_kind="paired")
"""
GOOD_MODEL = """
import keras, cgtk
class Good(cgtk.GANModel):
    def __init__(self, config=None):
        super().__init__(config)
        inp = keras.Input((None, None, 3))
        self.G = keras.Model(inp, keras.layers.Conv2D(3, 1)(inp))
    def phases(self):
        return [cgtk.Phase("g", [self.G], lambda b, c: (0.0, {}))]
    def inference(self):
        return {"g": self.G}
"""


@pytest.fixture
def site(tmp_path, monkeypatch):
    root = tmp_path / "site"
    make_distribution(root, "regt-good", {"regt_good": "regt_good:plugin"},
                      modules={"regt_good/__init__.py": GOOD_SPEC,
                               "regt_good/model.py": GOOD_MODEL})
    make_distribution(root, "regt-broken-import", {"regt_imp": "regt_imp:plugin"},
                      modules={"regt_imp/__init__.py": "import regt_missing_dependency\n"})
    make_distribution(root, "regt-not-a-plugin", {"regt_obj": "regt_obj:thing"},
                      modules={"regt_obj/__init__.py": "thing = 42\n"})
    make_distribution(root, "regt-old-api", {"regt_old": "regt_old:plugin"},
                      modules={"regt_old/__init__.py": (
                          "import cgtk\nplugin = cgtk.Plugin(model='x:Y', summary='old', "
                          "data_kind='paired', api_version=0)\n")})
    make_distribution(root, "regt-wrong-base", {"regt_base": "regt_base:plugin"},
                      modules={"regt_base/__init__.py": (
                          "import cgtk\nplugin = cgtk.Plugin(model='regt_base.m:NotGAN', "
                          "summary='s', data_kind='paired')\n"),
                          "regt_base/m.py": "class NotGAN:\n    pass\n"})
    make_distribution(root, "regt-model-import", {"regt_mi": "regt_mi:plugin"},
                      modules={"regt_mi/__init__.py": (
                          "import cgtk\nplugin = cgtk.Plugin(model='regt_mi.m:M', "
                          "summary='s', data_kind='paired')\n"),
                          "regt_mi/m.py": "raise ImportError('needs torchvision')\n"})
    make_distribution(root, "regt-dup-one", {"regt_dup": "regt_good:plugin"}, version="1.0")
    make_distribution(root, "regt-dup-two", {"regt_dup": "regt_good:plugin"}, version="2.0")
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.delenv("CGTK_PLUGINS", raising=False)
    return root


def by_name(infos):
    return {i.name: i for i in infos if i.name.startswith("regt")}


def test_discover_classifies_each_plugin(site):
    infos = by_name(registry.discover())
    assert infos["regt_good"].ok
    assert infos["regt_good"].summary == "a good one"
    assert infos["regt_good"].data_kind == "paired"
    assert infos["regt_good"].dist == "regt-good" and infos["regt_good"].version == "1.0"
    assert not infos["regt_imp"].ok
    assert "ModuleNotFoundError" in infos["regt_imp"].error
    assert "regt_missing_dependency" in infos["regt_imp"].error
    assert "not a cgtk.Plugin spec or a plugin class" in infos["regt_obj"].error
    assert "plugin API 0" in infos["regt_old"].error
    assert "registered twice" in infos["regt_dup"].error
    # cheap discovery does not import model modules: these still look fine
    assert infos["regt_base"].ok and infos["regt_mi"].ok


def test_check_all_imports_models_and_classifies(site):
    infos = by_name(registry.check_all(registry.discover()))
    assert infos["regt_good"].ok and infos["regt_good"].cls.__name__ == "Good"
    assert "not a subclass of cgtk.GANModel" in infos["regt_base"].error
    assert "needs torchvision" in infos["regt_mi"].error


def test_get_explains_unknown_and_broken_plugins(site):
    with pytest.raises(CgtkError, match="did you mean 'regt_good'"):
        registry.get("regt_god")
    with pytest.raises(CgtkError, match="plugin 'regt_mi' from regt-model-import is broken: "
                                        "cannot import regt_mi.m:M: ImportError: needs torchvision"):
        registry.get("regt_mi")
    assert registry.load_class("regt_good").name == "regt_good"


def test_filter_by_environment(site, monkeypatch):
    monkeypatch.setenv("CGTK_PLUGINS", "regt_good, regt_imp")
    assert sorted(i.name for i in registry.discover()) == ["regt_good", "regt_imp"]


def test_class_attribute_checks(site, tmp_path, monkeypatch):
    root = tmp_path / "site2"
    make_distribution(root, "regt-attrs", {
        "regt_nokind": "regt_attrs:NoKind", "regt_api": "regt_attrs:OldApi",
        "regt_named": "regt_attrs:Named", "regt_direct": "regt_attrs:Direct"},
        modules={"regt_attrs.py": GOOD_MODEL.replace("class Good", "class Direct") + """
class NoKind(cgtk.GANModel):
    summary = "s"
class OldApi(Direct):
    summary, data_kind, api_version = "s", "paired", 99
class Named(Direct):
    name, summary, data_kind = "other", "s", "paired"
Direct.summary, Direct.data_kind = "direct class entry point", "single"
"""})
    monkeypatch.syspath_prepend(str(root))
    infos = by_name(registry.discover())
    assert "lacks required attribute(s): data_kind" in infos["regt_nokind"].error
    assert "plugin API 99" in infos["regt_api"].error
    assert "Named.name is 'other'" in infos["regt_named"].error
    assert infos["regt_direct"].ok and infos["regt_direct"].data_kind == "single"


def test_listing_imports_no_tensorflow_keras_or_jax(site):
    code = """
    import sys
    from cgtk.cli.main import main
    for argv in (["--help"], ["--version"], ["plugins", "list"], ["plugins", "list", "--json"]):
        try:
            main(argv)
        except SystemExit:
            pass
    heavy = sorted(m for m in ("tensorflow", "keras", "jax") if m in sys.modules)
    print("HEAVY", heavy)
    """
    result = run_python(code, paths=[site])
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout
    assert "regt_good" in result.stdout and "broken" in result.stdout


def test_a_subclass_plugin_takes_its_own_spec_not_its_parents(tmp_path, monkeypatch):
    """srgan subclasses srresnet: loading srresnet first must not leak its metadata."""
    root = tmp_path / "site3"
    make_distribution(root, "regt-family", {"regt_parent": "regt_fam:parent",
                                            "regt_child": "regt_fam:child"},
                      modules={"regt_fam/__init__.py": (
                          "import cgtk\n"
                          "parent = cgtk.Plugin(model='regt_fam.m:Parent', summary='parent', "
                          "data_kind='single')\n"
                          "child = cgtk.Plugin(model='regt_fam.m:Child', summary='child', "
                          "data_kind='single')\n"),
                          "regt_fam/m.py": GOOD_MODEL.replace("class Good", "class Parent")
                          + "\nclass Child(Parent):\n    pass\n"})
    monkeypatch.syspath_prepend(str(root))
    infos = registry.discover()
    assert registry.get("regt_parent", infos).cls.title == "parent"
    child = registry.get("regt_child", infos)
    assert child.ok and child.cls.title == "child"
    assert callable(child.cls.summary)  # Keras' Model.summary() is not hidden


RESERVED_MODEL = GOOD_MODEL.replace("class Good", "class Shadowing").replace(
    "lambda b, c: (0.0, {})", "self.loss").replace(
    "    def inference(self):", "    def loss(self, batch, carry):\n        return 0.0, {}\n"
    "    def inference(self):")


def test_a_plugin_redefining_a_keras_attribute_is_broken_with_the_fix(tmp_path, monkeypatch):
    """`def loss` hides keras.Model.loss and used to end in a raw TypeError in train."""
    root = tmp_path / "site4"
    make_distribution(root, "regt-reserved", {"regt_res": "regt_res:plugin"},
                      modules={"regt_res/__init__.py": (
                          "import cgtk\nplugin = cgtk.Plugin(model='regt_res.m:Shadowing', "
                          "summary='s', data_kind='paired')\n"),
                          "regt_res/m.py": RESERVED_MODEL})
    monkeypatch.syspath_prepend(str(root))
    infos = registry.discover()
    with pytest.raises(CgtkError) as err:
        registry.get("regt_res", infos)
    message = str(err.value)
    assert "Shadowing.loss redefines keras.Model.loss" in message and "rename it" in message


def test_a_legacy_string_summary_becomes_the_title_and_keeps_keras_summary():
    import keras

    import cgtk

    class Legacy(cgtk.GANModel):
        summary, data_kind = "a legacy one-liner", "paired"

    assert Legacy.title == "a legacy one-liner"
    assert Legacy.summary is keras.Model.summary


def test_plugins_list_check_exits_1_when_a_plugin_is_broken(site, capsys):
    """It printed the broken plugins and still exited 0, so a CI check could not fail."""
    from cgtk.cli.main import main

    assert main(["plugins", "list", "--check", "--json"]) == 1
    assert main(["plugins", "list", "--json"]) == 0  # listing itself still works
    capsys.readouterr()
