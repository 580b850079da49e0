"""Intermediate features of the ResNet generator, indexed as the reference's ``nn.Sequential``.

CUT (Park et al. 2020) reads the generator's intermediate activations: its reference
(taesungp/contrastive-unpaired-translation ``ResnetGenerator.forward(x, layers)``)
collects the output of module ``i`` of ``self.model``, an ``nn.Sequential``, for each
``i`` in ``nce_layers``. :func:`reference_layer_outputs` lists the tensors of a
:func:`cgtk.nn.resnet_generator` in that same indexing, and :func:`feature_model` builds a
``keras.Model`` that **shares the generator's layers** (and so its weights) and returns
``[image, *features]`` from one forward pass (or only the features: Keras then keeps just
the layers up to the deepest one, like the reference's ``encode_only``). The plain
image -> image generator is unchanged and stays the network for inference and export.

The indexing is the reference's for the strided-conv layout our generator has (its
``--no_antialias --no_antialias_up``, which is also CycleGAN's ``ResnetGenerator``); with
``n`` residual blocks there are ``19 + n`` modules (28 for ResNet-9):

=====================  ==========================================================
reference index        tensor (our layers)
=====================  ==========================================================
0                      the input, reflection-padded by 3 (``ReflectionPadding2D``)
1, 2, 3                7x7 conv, norm, ReLU
4, 5, 6                first stride-2 conv (zero padding 1 + conv), norm, ReLU
7, 8, 9                second stride-2 conv, norm, ReLU
10 ... 9 + n           the output of residual block 1 ... n (the ``Add``)
then, per up level     transposed conv (conv + crop), norm, ReLU; or, with
                       ``upsample="nearest"``, upsampling, conv, norm, ReLU
last three             reflection pad 3, 7x7 conv, tanh (the image)
=====================  ==========================================================

So CUT's default ``nce_layers`` 0, 4, 8, 12, 16 are, here: the padded input, the first
stride-2 conv (before its norm), the norm after the second stride-2 conv, and residual
blocks 3 and 7. (The reference's *default* generator is antialiased, with a blur-pool
module after each stride-1 down conv, so there the same numbers name the padded input,
the two down convs at full and half resolution, and residual blocks 1 and 5.) With
``norm="none"`` the reference keeps an ``Identity`` module where the norm was; the
listing keeps that slot too, so indices do not shift.

>>> import numpy as np
>>> from cgtk.nn import resnet_generator
>>> g = resnet_generator(ngf=4, n_blocks=2)
>>> len(reference_layer_outputs(g))
21
>>> m = feature_model(g, [0, 4, 8, 10, 12])   # ..., residual block 1, first up level
>>> [tuple(t.shape) for t in m(np.zeros((1, 32, 32, 3), "float32"))]
[(1, 32, 32, 3), (1, 38, 38, 3), (1, 16, 16, 8), (1, 8, 8, 16), (1, 8, 8, 16), (1, 16, 16, 8)]
"""
from __future__ import annotations

from collections.abc import Sequence

import keras

# layers that open a reference module which the next layer completes:
# Conv2d(padding=p) is zero padding + conv; ConvTranspose2d(padding, output_padding) is a
# transposed conv + crop (see cgtk.nn.blocks)
_OPENS_MODULE = (keras.layers.ZeroPadding2D, keras.layers.Conv2DTranspose)
_CONVS = (keras.layers.Conv2D, keras.layers.Cropping2D)


def _consumers(model: keras.Model) -> dict:
    """``{id(tensor): [(layer, node), ...]}`` for every layer call in ``model``."""
    found: dict = {}
    for layer in model.layers:
        for node in layer._inbound_nodes:  # noqa: SLF001 - Keras' graph structure
            for tensor in node.input_tensors:
                found.setdefault(id(tensor), []).append((layer, node))
    return found


def reference_layer_outputs(generator: keras.Model) -> list:
    """The symbolic output of each module of the reference ``nn.Sequential``, in order.

    ``generator`` is a :func:`cgtk.nn.resnet_generator` (any width, depth, norm or
    upsampling). Index ``i`` of the list is the reference's layer ``i`` (see the module
    docstring); the last entry is the generator's output.

    Raises:
        ValueError: ``generator`` is not laid out as the ResNet generator.
    """
    consumers = _consumers(generator)
    tensor = generator.inputs[0]
    final = generator.outputs[0]
    outputs: list = []
    pending_conv = False  # the last module was a conv whose reference norm slot may be empty
    while tensor is not final:
        users = consumers.get(id(tensor), [])
        adds = [(la, nd) for la, nd in users if isinstance(la, keras.layers.Add)]
        if adds:  # a residual block: the skip and the block's first layer read `tensor`
            layer, node = adds[0]
        elif len(users) == 1:
            layer, node = users[0]
        else:
            raise ValueError(f"{generator.name} is not a cgtk ResNet generator "
                             f"(tensor {getattr(tensor, 'name', '?')} has {len(users)} readers)")
        if pending_conv and isinstance(layer, keras.layers.ReLU):
            outputs.append(tensor)  # norm="none": the reference's Identity module
        out = node.output_tensors[0]
        if not isinstance(layer, _OPENS_MODULE):
            outputs.append(out)
            pending_conv = isinstance(layer, _CONVS)
        tensor = out
    return outputs


def check_layer_indices(generator: keras.Model, layers: Sequence[int]) -> list[int]:
    """``layers`` sorted, after checking each is a valid reference index of ``generator``.

    Raises:
        ValueError: an index is out of range or repeated; the message names the range.
    """
    count = len(reference_layer_outputs(generator))
    layers = [int(i) for i in layers]
    bad = [i for i in layers if not 0 <= i < count]
    if bad:
        raise ValueError(f"layer index {bad[0]} is beyond the generator's {count} layers; "
                         f"valid indices are 0-{count - 1} (the reference's nn.Sequential "
                         "indexing)")
    if len(set(layers)) != len(layers):
        raise ValueError(f"layer indices {list(layers)} repeat an index")
    return sorted(layers)


def feature_model(generator: keras.Model, layers: Sequence[int], *, with_image: bool = True,
                  name: str | None = None) -> keras.Model:
    """A model sharing ``generator``'s layers that returns ``[image, *features]``.

    Args:
        generator: a :func:`cgtk.nn.resnet_generator`.
        layers: reference indices (see the module docstring); features come back in
            ascending index order, as the reference's forward collects them.
        with_image: also return the generated image first (one forward pass for both);
            False returns only the features and keeps only the layers they need.
        name: the model's name (default ``<generator>_features`` / ``_encoder``).
    """
    layers = check_layer_indices(generator, layers)
    outputs = reference_layer_outputs(generator)
    features = [outputs[i] for i in layers]
    if with_image:
        features = [generator.outputs[0], *features]
    suffix = "features" if with_image else "encoder"
    return keras.Model(generator.inputs[0], features, name=name or f"{generator.name}_{suffix}")
