"""Network building blocks and the reference CycleGAN/pix2pix networks, in pure Keras 3.

Every network is a functional ``keras.Model`` taking NHWC images of any size
(``Input(shape=(None, None, C))``) in [-1, 1]; generators end with tanh, discriminators
output logits. Architectures and parameter counts match junyanz/pytorch-CycleGAN-and-pix2pix
(``models/networks.py``); the code runs on the TensorFlow and JAX backends, and the
models save to ``.keras`` and load with ``safe_mode=True``.

>>> import numpy as np
>>> from cgtk import nn
>>> g = nn.resnet_generator(ngf=8, n_blocks=2)
>>> d = nn.patch_discriminator(ndf=8)
>>> x = np.zeros((1, 64, 64, 3), "float32")
>>> tuple(d(g(x)).shape)
(1, 6, 6, 1)
"""
from cgtk.nn.blocks import Blocks
from cgtk.nn.features import feature_model, reference_layer_outputs
from cgtk.nn.init import INIT_KINDS, gamma_initializer, initializer
from cgtk.nn.layers import AlwaysDropout
from cgtk.nn.norm import NORM_KINDS, norm_layer, uses_bias
from cgtk.nn.padding import ReflectionPadding2D
from cgtk.nn.patchgan import patch_discriminator, pixel_discriminator
from cgtk.nn.resnet import UPSAMPLE_KINDS, resnet_block, resnet_generator
from cgtk.nn.summary import network_summary, required_multiple
from cgtk.nn.unet import unet_generator

__all__ = [
    "INIT_KINDS",
    "NORM_KINDS",
    "UPSAMPLE_KINDS",
    "AlwaysDropout",
    "Blocks",
    "ReflectionPadding2D",
    "feature_model",
    "gamma_initializer",
    "initializer",
    "network_summary",
    "norm_layer",
    "patch_discriminator",
    "pixel_discriminator",
    "reference_layer_outputs",
    "required_multiple",
    "resnet_block",
    "resnet_generator",
    "unet_generator",
    "uses_bias",
]
