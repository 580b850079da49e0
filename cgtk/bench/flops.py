"""Analytic FLOP counting for Keras networks, and for a plugin's training step.

**Forward FLOPs of a network** (:func:`network_flops`): the network is called once
*symbolically* (shapes only, nothing is computed) on an input of the bench size, batch 1,
while :meth:`keras.layers.Layer.__call__` is intercepted, so every layer that actually
runs, at any nesting depth (functional graphs, nested models, custom layers made of Keras
layers) is seen with its real input and output shapes. Per layer:

* ``Conv1D/2D/3D``: MACs = output positions x ``Cout`` x kernel volume x ``Cin / groups``.
* ``Conv2DTranspose`` (and 1D/3D): the *useful* MACs, i.e. every input pixel is
  multiplied by the whole ``K x K x Cin x Cout`` kernel: MACs = ``H_in W_in K^2 Cin Cout``
  (the same work as the equivalent direct conv over the output). The convention
  ``transpose="output"`` counts ``H_out W_out K^2 Cin Cout`` instead (``stride^2`` times
  more: the zero-inserted input, as ``thop``/GAN-Compression-style counters do); the
  published CycleGAN figure of 56.8 G "MACs" for the ResNet-9 generator at 256 px uses
  that convention.
* ``DepthwiseConv2D``: output elements x kernel area; ``SeparableConv2D``: depthwise +
  pointwise; ``Dense``: rows x ``in`` x ``units``.
* ``flops = 2 x MACs`` (one multiply + one add): the headline figure, used for TFLOP/s.

Element-wise work is counted separately in ``elementwise_flops`` and left out of the
headline (it is < 1% for conv nets and memory-bound anyway): conv/dense bias 1 per
output, normalisation 5 per element (+2 with scale/offset), activations and
``Add``/``Multiply``-style merges 1 per element (per extra input), pooling one per window
element. Padding, cropping, resizing, reshapes and concatenation count 0. Keras ops
called directly inside a custom layer's ``call`` (a Gram matrix, say) are not seen.

**A training step** (:func:`step_flops`): which networks the step's phases call, how
often and on which input shapes is found by running each phase's loss once *eagerly*,
untimed, on a small batch, with the calls of every top-level network counted (a
network called inside another tracked network is not counted twice). Per call:

* a network the phase trains: forward + backward = **3 x forward** (the backward pass
  computes activation gradients and weight gradients, ~2 x forward);
* a network the phase merely differentiates through (the discriminator in a
  generator phase): **2 x forward** (input gradients only). A network called on
  inputs that need no gradient at all (a VGG on the real target) is also charged 2 x:
  an upper bound.

For CycleGAN (identity loss on) the generator phase calls G and F three times each
(fake, reconstruction, identity) and D_A, D_B once each; the discriminator phase calls
D_A and D_B twice each (real, fake). At 256 px that is ~1.9 TFLOP per image.

>>> import keras
>>> inp = keras.Input((None, None, 3))
>>> net = keras.Model(inp, keras.layers.Conv2D(8, 3, padding="same")(inp))
>>> network_flops(net, (16, 16, 3))["macs"] == 16 * 16 * 8 * 3 * 3 * 3
True
"""
from __future__ import annotations

import contextlib
import math
from collections import defaultdict
from dataclasses import dataclass, field

import keras

TRANSPOSE_CONVENTIONS = ("input", "output")
PASSIVE_NAMES = {"ReflectionPadding2D", "PixelShuffle", "DepthToSpace", "AlwaysDropout",
                 "CallCounter", "ImagePool"}  # data movement / bookkeeping: 0 FLOPs
NORM_FLOPS_PER_ELEMENT = 5
AFFINE_FLOPS_PER_ELEMENT = 2


def _shape(x):
    shape = getattr(x, "shape", None)
    return None if shape is None else tuple(None if d is None else int(d) for d in shape)


def _count(shape) -> int:
    return int(math.prod(d for d in shape if d is not None)) if shape else 0


def _classes(*paths):
    """Keras layer classes by public name (skipping any this Keras lacks)."""
    out = []
    for name in paths:
        cls = getattr(keras.layers, name, None)
        if cls is not None:
            out.append(cls)
    return tuple(out)


def _layer_cost(layer, in_shapes, out_shape, transpose: str) -> tuple[int, int, bool]:
    """``(macs, elementwise_flops, counted)`` of one layer call (``counted``: a rule applied)."""
    from keras.src.layers.convolutional.base_conv import BaseConv
    from keras.src.layers.convolutional.base_conv_transpose import BaseConvTranspose
    from keras.src.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
    from keras.src.layers.convolutional.base_separable_conv import BaseSeparableConv

    x_shape = in_shapes[0] if in_shapes else None
    out_n = _count(out_shape)
    bias = out_n if getattr(layer, "use_bias", False) else 0
    if isinstance(layer, BaseConvTranspose):
        kernel = math.prod(layer.kernel_size)
        cin, cout = x_shape[-1], out_shape[-1]
        macs = _count(x_shape[:-1]) * kernel * cin * cout
        if transpose == "output":
            macs *= math.prod(layer.strides)
        return macs, bias, True
    if isinstance(layer, BaseSeparableConv):
        kernel = math.prod(layer.kernel_size)
        cin = x_shape[-1]
        mid = cin * layer.depth_multiplier
        positions = _count(out_shape[:-1])
        return positions * (kernel * mid + mid * out_shape[-1]), bias, True
    if isinstance(layer, BaseDepthwiseConv):
        return out_n * math.prod(layer.kernel_size), bias, True
    if isinstance(layer, BaseConv):
        kernel = math.prod(layer.kernel_size)
        groups = getattr(layer, "groups", 1) or 1
        return out_n * kernel * (x_shape[-1] // groups), bias, True
    if isinstance(layer, keras.layers.Dense):
        return _count(x_shape[:-1]) * x_shape[-1] * layer.units, bias, True
    norms = _classes("GroupNormalization", "BatchNormalization", "LayerNormalization",
                     "UnitNormalization", "RMSNormalization")
    if isinstance(layer, norms):
        affine = getattr(layer, "scale", False) or getattr(layer, "center", False)
        per = NORM_FLOPS_PER_ELEMENT + (AFFINE_FLOPS_PER_ELEMENT if affine else 0)
        return 0, per * out_n, True
    acts = _classes("ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "Activation")
    if isinstance(layer, acts):
        return 0, out_n, True
    merges = _classes("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
    if isinstance(layer, merges):
        return 0, out_n * max(len(in_shapes) - 1, 1), True
    pools = _classes("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
                     "AveragePooling2D", "AveragePooling3D")
    if isinstance(layer, pools):
        return 0, out_n * math.prod(layer.pool_size), True
    global_pools = _classes("GlobalAveragePooling2D", "GlobalMaxPooling2D")
    if isinstance(layer, global_pools):
        return 0, _count(x_shape), True
    return 0, 0, False


def _flat_shapes(args) -> list:
    shapes = []
    for a in args:
        if isinstance(a, (list, tuple)):
            shapes.extend(_flat_shapes(a))
        else:
            s = _shape(a)
            if s is not None:
                shapes.append(s)
    return shapes


@contextlib.contextmanager
def _intercept_layer_calls(hook):
    """Call ``hook(layer, args, kwargs, outputs, depth)`` after every ``Layer.__call__``."""
    original = keras.layers.Layer.__call__
    state = {"depth": 0}

    def patched(self, *args, **kwargs):
        state["depth"] += 1
        try:
            out = original(self, *args, **kwargs)
        finally:
            state["depth"] -= 1
        hook(self, args, kwargs, out, state["depth"])
        return out

    keras.layers.Layer.__call__ = patched
    try:
        yield
    finally:
        keras.layers.Layer.__call__ = original


def _is_container(layer) -> bool:
    """A model or a layer made of other layers (its children are counted, not it)."""
    if isinstance(layer, keras.Model):
        return True
    try:
        return bool(layer._layers)  # noqa: SLF001 - Keras' tracked sub-layers
    except AttributeError:
        return False


def network_flops(model, input_shape, *, transpose: str = "input", dtype="float32") -> dict:
    """Forward FLOPs of ``model`` for **one** input of ``input_shape`` (no batch axis).

    ``input_shape`` may be a list of shapes for a multi-input model. Returns ``{"macs",
    "flops" (= 2 x macs), "elementwise_flops", "total_flops", "by_type": {layer class:
    flops}, "uncounted": [layer classes without a rule that did work], "transpose"}``.

    >>> import keras
    >>> inp = keras.Input((None, None, 4))
    >>> up = keras.layers.Conv2DTranspose(2, 3, strides=2, padding="same")(inp)
    >>> f = network_flops(keras.Model(inp, up), (5, 5, 4))
    >>> f["macs"] == 5 * 5 * 3 * 3 * 4 * 2
    True
    """
    if transpose not in TRANSPOSE_CONVENTIONS:
        raise ValueError(f"transpose must be one of {TRANSPOSE_CONVENTIONS}, got {transpose!r}")
    from keras.src import backend as kbackend

    multi = bool(input_shape) and isinstance(input_shape[0], (list, tuple))
    shapes = list(input_shape) if multi else [input_shape]
    specs = [keras.KerasTensor((1, *tuple(s)), dtype=dtype) for s in shapes]
    totals = {"macs": 0, "elementwise_flops": 0}
    by_type: dict[str, int] = defaultdict(int)
    uncounted: set[str] = set()
    passive = _classes("InputLayer", "ZeroPadding2D", "ZeroPadding1D", "ZeroPadding3D",
                       "Cropping2D", "Cropping1D", "Cropping3D", "UpSampling2D",
                       "UpSampling1D", "UpSampling3D", "Reshape", "Flatten", "Concatenate",
                       "Dropout", "SpatialDropout2D", "Permute", "Identity", "Rescaling",
                       "Resizing", "RepeatVector")

    def hook(layer, args, kwargs, out, depth):
        if _is_container(layer):
            return
        in_shapes = _flat_shapes(args)
        out_shapes = _flat_shapes([out])
        if not out_shapes:
            return
        macs, elementwise, counted = _layer_cost(layer, in_shapes, out_shapes[0], transpose)
        totals["macs"] += macs
        totals["elementwise_flops"] += elementwise
        by_type[type(layer).__name__] += 2 * macs + elementwise
        if not counted and not isinstance(layer, passive) and type(layer).__name__ not in PASSIVE_NAMES:
            uncounted.add(type(layer).__name__)

    def run(*xs):
        return model(list(xs) if multi else xs[0], training=False)

    with _intercept_layer_calls(hook):
        kbackend.compute_output_spec(run, *specs)
    flops = 2 * totals["macs"]
    return {"macs": totals["macs"], "flops": flops,
            "elementwise_flops": totals["elementwise_flops"],
            "total_flops": flops + totals["elementwise_flops"],
            "by_type": dict(by_type), "uncounted": sorted(uncounted), "transpose": transpose}


# ------------------------------------------------------------- train step ---

@dataclass
class NetworkCall:
    """One top-level network call seen during a phase: input shapes, images per step image."""

    network: str
    phase: str
    trained: bool
    input_shapes: list
    per_image: float  # the call's batch / the step's batch


@dataclass
class StepTrace:
    calls: list[NetworkCall] = field(default_factory=list)
    how: str = "abstract"  # or "eager": the losses could not be traced abstractly

    def counts(self) -> dict:
        """``{phase: {network: calls}}``."""
        out: dict = {}
        for c in self.calls:
            out.setdefault(c.phase, {}).setdefault(c.network, 0)
            out[c.phase][c.network] += 1
        return out


def trace_step_calls(model, batch) -> StepTrace:
    """Run every phase's loss once on ``batch`` (untimed, no update) and record the
    top-level network calls. The phases share a ``carry`` as in the real step.

    The losses are evaluated *abstractly* (:func:`keras.src.backend.compute_output_spec`:
    shapes only, in a stateless scope), as the jitted step traces them. Nothing is
    computed, and on JAX no eager op is compiled per shape (that took most of a small
    ``cgtk bench`` there). A loss that cannot be traced that way is run eagerly instead."""
    networks = {id(net): name for name, net in model.networks().items()}
    batch_size = _batch_size(batch)
    trace = StepTrace()
    current = {"phase": None, "trained": set()}
    active: list = []

    original = keras.layers.Layer.__call__

    def patched(self, *args, **kwargs):
        tracked = id(self) in networks and not active
        if tracked:
            active.append(self)
            shapes = _flat_shapes(args[:1])
        try:
            return original(self, *args, **kwargs)
        finally:
            if tracked:
                active.pop()
                call_batch = shapes[0][0] if shapes and shapes[0] else batch_size
                trace.calls.append(NetworkCall(
                    networks[id(self)], current["phase"], id(self) in current["trained"],
                    [s[1:] for s in shapes], (call_batch or batch_size) / batch_size))

    phases = model.training_phases or list(model.phases())

    def run_phases(batch):
        carry: dict = {}
        for phase in phases:
            current["phase"] = phase.name
            current["trained"] = {id(n) for n in phase.networks}
            phase.loss(batch, carry)
        return keras.ops.zeros(())

    keras.layers.Layer.__call__ = patched
    try:
        try:
            _abstractly(run_phases, batch)
        except Exception:  # not traceable abstractly: the same calls, computed eagerly
            trace.calls.clear()
            active.clear()
            trace.how = "eager"
            run_phases(batch)
    finally:
        keras.layers.Layer.__call__ = original
    return trace


def _abstractly(fn, batch):
    """``fn(batch)`` on symbolic stand-ins of ``batch``'s tensors: shapes, no values."""
    from keras.src.backend import compute_output_spec

    def spec(x):
        if hasattr(x, "shape") and hasattr(x, "dtype"):
            return keras.KerasTensor(tuple(int(d) for d in x.shape),
                                     dtype=keras.backend.standardize_dtype(x.dtype))
        return x

    return compute_output_spec(fn, keras.tree.map_structure(spec, batch))


def _batch_size(batch) -> int:
    first = batch[0] if isinstance(batch, (tuple, list)) else batch
    return int(first.shape[0])


def step_flops(model, trace: StepTrace, *, transpose: str = "input") -> dict:
    """Training FLOPs per image of one step, from a :class:`StepTrace` (see the module doc)."""
    nets = model.networks()
    cache: dict = {}
    forward = backward = 0.0
    rows = []
    for call in trace.calls:
        key = (call.network, tuple(map(tuple, call.input_shapes)))
        if key not in cache:
            shapes = call.input_shapes if len(call.input_shapes) > 1 else call.input_shapes[0]
            cache[key] = network_flops(nets[call.network], shapes, transpose=transpose)["flops"]
        fwd = cache[key] * call.per_image
        bwd = fwd * (2.0 if call.trained else 1.0)
        forward += fwd
        backward += bwd
        rows.append({"phase": call.phase, "network": call.network, "trained": call.trained,
                     "input": "x".join(map(str, call.input_shapes[0])) if call.input_shapes else "",
                     "forward_flops": fwd, "backward_flops": bwd})
    return {"forward_flops": forward, "backward_flops": backward,
            "train_flops": forward + backward, "calls": trace.counts(), "per_call": rows,
            "transpose": transpose}
