"""Names a plugin class must not redefine: Keras' ``Model`` API and the engine's own.

A plugin that defines, say, ``def loss(self, batch, carry)`` silently replaces
``keras.Model.loss``, which Keras reads while it builds and tracks the model,
and training then fails far away with a raw ``TypeError``. The registry runs
:func:`reserved_overrides` when it loads a plugin class and refuses the plugin
with the attribute's name and the fix.

>>> from cgtk.engine.reserved import reserved_overrides
>>> import cgtk
>>> class Bad(cgtk.GANModel):
...     def loss(self, batch, carry):
...         return 0.0, {}
>>> reserved_overrides(Bad)
['loss']

``train_step`` is the engine's too. A plugin that really must replace it (and so is
backend-specific: see docs/plugins.md) says so with ``custom_train_step = True``.
"""
from __future__ import annotations

# What a plugin declares: the hooks of GANModel and its class-level metadata.
PLUGIN_HOOKS = frozenset({
    "__init__", "phases", "inference", "setup_data", "sample_columns", "call",
    "before_step", "after_step",
    "Config", "name", "title", "summary", "data_kind", "default_data", "api_version",
    "tiny_config", "custom_train_step",
})


def reserved_names() -> frozenset[str]:
    """Every attribute of ``keras.Model`` and :class:`cgtk.GANModel` that is not a hook."""
    import keras

    from cgtk.engine.model import GANModel

    names = set(dir(keras.Model)) | set(vars(GANModel))
    return frozenset(n for n in names if not n.startswith("__")) - PLUGIN_HOOKS


def reserved_overrides(cls: type) -> list[str]:
    """The reserved names that ``cls`` (or a plugin class between it and GANModel) defines."""
    from cgtk.engine.model import GANModel

    reserved = reserved_names()
    if getattr(cls, "custom_train_step", False):  # a backend-specific plugin, on purpose
        reserved = reserved - {"train_step"}
    found: list[str] = []
    for klass in cls.__mro__:
        if klass is GANModel or not issubclass(klass, GANModel):
            break
        found.extend(a for a in vars(klass) if a in reserved and a not in found)
    return found


def explain(cls: type, names: list[str]) -> str:
    """One line naming the first reserved attribute and how to fix it."""
    first = names[0]
    more = f" (also: {', '.join(names[1:])})" if len(names) > 1 else ""
    return (f"{cls.__name__}.{first} redefines keras.Model.{first}, which Keras and the "
            f"cgtk engine use{more}: rename it, e.g. '{first}_fn' or 'generator_{first}', "
            "and refer to the new name in phases()")


def adopt_legacy_summary(cls: type) -> None:
    """Plugin API 1 classes set a string ``summary``: move it to ``title``, so that it no
    longer hides Keras' ``Model.summary()``."""
    legacy = cls.__dict__.get("summary")
    if isinstance(legacy, str):
        cls.title = legacy
        delattr(cls, "summary")
