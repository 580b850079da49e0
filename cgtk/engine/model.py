"""The plugin-facing contract: :class:`GANModel`, :class:`Phase` and :class:`Inference`.

A plugin *declares*: its networks (built in ``__init__`` from its Config), its
update phases (which networks each trains, with which loss and optimizer
settings) and its inference networks. The engine *does*: gradients per
backend, distribution, XLA, precision, checkpoints and the run directory.

A minimal plugin (see ``docs/plugins.md`` for the whole story):

>>> import keras
>>> from dataclasses import dataclass
>>> from keras import ops
>>> import cgtk
>>> @dataclass
... class DenoiseConfig(cgtk.TrainConfig):
...     width: int = cgtk.option(8, "hidden channels", fixed=True)
>>> class Denoise(cgtk.GANModel):
...     title, data_kind, Config = "toy denoiser", "paired", DenoiseConfig
...     def __init__(self, config=None):
...         super().__init__(config)
...         inp = keras.Input((None, None, 3))
...         hid = keras.layers.Conv2D(self.config.width, 3, padding="same")(inp)
...         self.G = keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same")(hid))
...     def phases(self):
...         return [cgtk.Phase("generator", [self.G], self.generator_loss, lr=1e-3)]
...     def generator_loss(self, batch, carry):
...         a, b = batch
...         l1 = ops.mean(ops.abs(self.G(a, training=True) - b))
...         return l1, {"G_l1": l1}
...     def inference(self):
...         return {"generator": self.G}
>>> Denoise().inference_networks()["generator"].multiple
1
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import keras

from cgtk.config import TrainConfig
from cgtk.plugin import API_VERSION

LossFn = Callable[[object, dict], tuple]


@dataclass
class Phase:
    """One update phase of a training step.

    Args:
        name: shown in logs (``loss_<name>``) and used for checkpoint names.
        networks: the networks whose trainable weights this phase updates.
        loss: ``loss(batch, carry) -> (scalar, {term: scalar})``. Written with
            ``keras.ops`` only, in float32. ``carry`` is a dict shared by the
            phases of one step: put tensors a later phase needs into it (the
            generator's fakes, say) instead of recomputing them. A later phase
            sees them as constants (no gradient flows back through them).
        lr: initial learning rate.
        beta_1, beta_2: Adam's betas.
        epsilon: Adam's epsilon, added to the bias-corrected ``sqrt(v_hat)`` as in
            PyTorch (default ``1e-8``, ``torch.optim.Adam``'s; Keras' is ``1e-7``).
        optimizer: ``"adam"`` (PyTorch's update,
            :class:`cgtk.engine.optimizers.TorchAdam`), ``"keras_adam"`` or a callable
            taking the schedule and returning a Keras optimizer built with
            ``learning_rate=`` it (see :func:`cgtk.engine.optimizers.make_optimizer`).
        schedule: ``None`` (the config's ``lr_policy``), ``"constant"``,
            ``"linear_decay"`` or ``"step"``.
    """

    name: str
    networks: Sequence[keras.Model]
    loss: LossFn
    lr: float = 2e-4
    beta_1: float = 0.9
    beta_2: float = 0.999
    optimizer: str | Callable = "adam"
    schedule: str | None = None
    epsilon: float = 1e-8
    trainable_variables: list = field(default_factory=list, init=False, repr=False)

    def collect_variables(self) -> list:
        """The phase's trainable variables, each once, in network order."""
        seen, out = set(), []
        for net in self.networks:
            for v in net.trainable_variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        self.trainable_variables = out
        return out


@dataclass
class Inference:
    """An inference network and how it maps inputs to outputs.

    Args:
        network: a functional ``keras.Model`` taking ``[B, H, W, C]`` in [-1, 1].
        multiple: the spatial size the input must be a multiple of (4 for the
            ResNet generator, ``2**depth`` for a U-Net); inference pads to it.
        scale: output size / input size (super-resolution: 2, 3 or 4).
        description: what goes in and what comes out, for ``cgtk infer``.
    """

    network: keras.Model
    multiple: int = 1
    scale: int = 1
    description: str = ""

    def spec(self, name: str):
        """What the run records of this network under ``name`` (its ``.keras`` file,
        ``multiple``, ``scale``, ``description``): a
        :class:`~cgtk.runs.record.InferenceSpec`, the type ``cgtk infer`` reads back."""
        from cgtk.runs.record import InferenceSpec

        return InferenceSpec.from_inference(name, self)


class GANModel(keras.Model):
    """Base class of every cgtk plugin model.

    Subclasses set the class attributes ``title``, ``data_kind``, ``Config``
    (a dataclass subclassing :class:`cgtk.TrainConfig`) and optionally
    ``default_data``; they build their networks in ``__init__(config)`` after
    calling ``super().__init__(config)``, and implement :meth:`phases` and
    :meth:`inference`.

    The engine's ``train_step`` runs the phases in order inside one compiled
    step (``cgtk/engine/backend/``). A plugin that declares
    ``custom_train_step = True`` may override ``train_step`` itself: on
    TensorFlow ``train_step(self, data) -> logs`` (use
    ``self.phase_optimizers`` to apply gradients); on JAX
    ``train_step(self, state, data) -> (logs, state)`` with ``state`` as
    described in :mod:`cgtk.engine.backend.jax`. Such a plugin is
    backend-specific and should say so in its docs.
    """

    name: str | None = None
    title: str = ""  # one line for ``cgtk plugins list`` (a spec's ``summary``)
    data_kind: str = ""
    default_data: str | None = None
    api_version: int = API_VERSION
    Config: type = TrainConfig

    def __init_subclass__(cls, **kwargs):
        from cgtk.engine.reserved import adopt_legacy_summary

        super().__init_subclass__(**kwargs)
        adopt_legacy_summary(cls)

    def __init__(self, config: TrainConfig | None = None, **kwargs):
        kwargs.setdefault("name", type(self).name or type(self).__name__.lower())
        super().__init__(**kwargs)
        self.config = config if config is not None else type(self).Config()
        self.training_phases: list[Phase] = []
        self.phase_optimizers: list = []

    # ------------------------------------------------ what plugins declare ---

    def phases(self) -> list[Phase]:
        """The update phases of one training step, in order."""
        raise NotImplementedError(f"{type(self).__name__} must implement phases()")

    def inference(self) -> dict:
        """Inference networks: ``{direction: keras.Model or Inference}``; the first is the default."""
        raise NotImplementedError(f"{type(self).__name__} must implement inference()")

    def setup_data(self, extras: dict) -> None:
        """Called once before training with the data's extras (the style image, say)."""

    def before_step(self) -> None:
        """Called at the start of every training step, inside the compiled step, before
        the first phase. Use ``keras.ops`` and ``variable.assign`` only (on JAX it runs
        statelessly like a loss). The default does nothing."""

    def after_step(self) -> None:
        """Called at the end of every training step, inside the compiled step, after every
        phase has updated its networks: keep non-trainable state here (an EMA of a
        network's weights, say) with ``keras.ops`` and ``variable.assign``. The default
        does nothing."""

    def sample_columns(self, batch) -> dict:
        """Images for one row of the sample grid: ``{column title: [B, H, W, C]}``.

        The default shows input | output | target for the default inference
        network. CycleGAN, say, overrides it to add the reconstruction.
        """
        net = next(iter(self.inference_networks().values())).network
        x = batch[0] if isinstance(batch, (tuple, list)) else batch
        columns = {"input": x, "output": net(x, training=False)}
        if isinstance(batch, (tuple, list)) and len(batch) > 1:
            columns["target"] = batch[1]
        return columns

    # ---------------------------------------------------- what cgtk derives ---

    def inference_networks(self) -> dict[str, Inference]:
        nets = {}
        for key, value in self.inference().items():
            nets[key] = value if isinstance(value, Inference) else Inference(value)
        return nets

    def networks(self) -> dict[str, keras.Model]:
        """Every network the model holds, by attribute name, in definition order."""
        found, seen = {}, set()
        for attr, value in vars(self).items():
            if isinstance(value, keras.Model) and not attr.startswith("_") and id(value) not in seen:
                seen.add(id(value))
                found[attr] = value
        return found

    def call(self, inputs, training=False):
        net = next(iter(self.inference_networks().values())).network
        return net(inputs, training=training)

    def compile_phases(self, steps_per_epoch: int) -> None:
        """Create one optimizer per phase (with its learning-rate schedule and,
        under ``mixed_float16``, loss scaling) and build it on the phase's variables.

        Call inside the distribution scope. ``train_step`` needs this first.
        """
        from cgtk.engine.optimizers import make_optimizer

        self.training_phases = list(self.phases())
        if not self.training_phases:
            raise ValueError(f"{type(self).__name__}.phases() returned no phase")
        names = [p.name for p in self.training_phases]
        if len(set(names)) != len(names):
            raise ValueError(f"phase names must be unique, got {names}")
        self.phase_optimizers = []
        for phase in self.training_phases:
            variables = phase.collect_variables()
            if not variables:
                raise ValueError(f"phase '{phase.name}' has no trainable variables")
            optimizer = make_optimizer(phase, self.config, steps_per_epoch)
            optimizer.build(variables)
            self.phase_optimizers.append(optimizer)

    def train_step(self, *args):
        from cgtk.engine import backend

        return backend.current().train_step(self, *args)
