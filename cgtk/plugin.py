"""The keras-free half of a plugin: what ``cgtk plugins list`` can know cheaply.

A plugin's entry point in the ``cgtk.plugins`` group names a :class:`Plugin`
spec kept in a module that does not import Keras (usually the plugin
package's ``__init__``). The spec points at the model class, which is imported
only when the plugin is used or shown. Listing plugins therefore never imports
TensorFlow, Keras or JAX.

An entry point may also name the model class directly; that works too, but
then ``cgtk plugins list`` has to import the class (and with it Keras) to
describe the plugin.

>>> spec = Plugin(model="cgtk_pix2pix.model:Pix2Pix",
...               summary="Paired image-to-image translation",
...               data_kind="paired", default_data="facades")
>>> spec.module, spec.attribute
('cgtk_pix2pix.model', 'Pix2Pix')
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

API_VERSION = 1
"""The plugin API this cgtk implements. A plugin declaring another is refused."""

DATA_KINDS = ("unpaired", "paired", "single", "style")
"""The data kinds a plugin can consume (see ``docs/plugins.md``)."""


@dataclass(frozen=True)
class Plugin:
    """A lazy reference to a plugin's model class, plus its listing metadata.

    Args:
        model: ``"module:ClassName"`` of the :class:`cgtk.GANModel` subclass.
        summary: one line for ``cgtk plugins list``.
        data_kind: one of :data:`DATA_KINDS`.
        default_data: the known dataset ``cgtk train NAME`` uses without ``--data``.
        api_version: the cgtk plugin API the plugin was written for.
    """

    model: str
    summary: str
    data_kind: str
    default_data: str | None = None
    api_version: int = API_VERSION

    @property
    def module(self) -> str:
        return self.model.partition(":")[0]

    @property
    def attribute(self) -> str:
        return self.model.partition(":")[2]

    def problems(self) -> list[str]:
        """What is wrong with the spec itself, without importing anything."""
        found = []
        if ":" not in self.model or not self.module or not self.attribute:
            found.append(f"model={self.model!r} is not of the form 'module:ClassName'")
        if self.data_kind not in DATA_KINDS:
            found.append(f"data_kind={self.data_kind!r} is not one of {', '.join(DATA_KINDS)}")
        if self.api_version != API_VERSION:
            found.append(
                f"written for cgtk plugin API {self.api_version}, "
                f"this cgtk implements API {API_VERSION}"
            )
        return found

    def load(self) -> type:
        """Import and return the model class (this imports Keras)."""
        module = importlib.import_module(self.module)
        return getattr(module, self.attribute)
