"""``cgtk plugins list|show``: what is installed, what loaded, and each plugin's options
and networks.

>>> result = show_plugin(ShowRequest("pix2pix", networks=False))
>>> result.info.data_kind, "ngf" in [f["name"] for f in result.fields]
('paired', True)
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["PluginsRequest", "PluginsResult", "ShowRequest", "ShowResult", "list_plugins",
           "show_plugin"]


@dataclass
class PluginsRequest:
    """``check``: also import every model class and validate it (imports Keras)."""

    check: bool = False


@dataclass
class PluginsResult:
    """``plugins``: :class:`cgtk.registry.PluginInfo` rows (``ok``/``error`` per plugin)."""

    plugins: list = field(default_factory=list)

    @property
    def broken(self) -> list:
        return [p for p in self.plugins if not p.ok]


@dataclass
class ShowRequest:
    name: str
    networks: bool = True


@dataclass
class ShowResult:
    """``fields``: the Config's options (name, type, default, help, choices, fixed,
    paper, common); ``networks``: per network its role, parameters, input and output."""

    info: object
    fields: list
    networks: list


def _filter_native_logs() -> None:
    """Filter TensorFlow's start-up chatter, as the other commands do."""
    from cgtk.backend_env import select_backend

    select_backend(None)


def list_plugins(request: PluginsRequest | None = None) -> PluginsResult:
    from cgtk import registry

    request = request or PluginsRequest()
    infos = registry.discover()
    if request.check:
        _filter_native_logs()
        registry.check_all(infos)
    return PluginsResult(list(infos))


def show_plugin(request: ShowRequest) -> ShowResult:
    from cgtk import registry
    from cgtk.config import describe_fields

    _filter_native_logs()  # loading a plugin imports Keras, and so TensorFlow
    info = registry.get(request.name)
    nets = []
    if request.networks:
        from cgtk.engine.summary import network_summaries

        nets = network_summaries(info.cls)
    return ShowResult(info, describe_fields(info.cls.Config), nets)
