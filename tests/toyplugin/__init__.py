"""A tiny test plugin (keras-free spec): a paired GAN small enough to train in seconds."""
import cgtk

plugin = cgtk.Plugin(model="toyplugin.model:ToyGAN", summary="tiny paired GAN for tests",
                     data_kind="paired", default_data="demo")
