"""A residual image-to-image network trained with an L1 loss (one phase)."""
from dataclasses import dataclass

import keras
from keras import ops

import cgtk


@dataclass
class ResidualL1Config(cgtk.TrainConfig):
    width: int = cgtk.option(32, "hidden channels", fixed=True)
    depth: int = cgtk.option(3, "number of hidden 3x3 conv layers", fixed=True)
    lr: float = cgtk.option(1e-3, "Adam learning rate")
    batch_size: int = cgtk.option(8, "global batch size")
    image_size: int = cgtk.option(64, "training crop size")
    epochs: int = cgtk.option(5, "number of epochs")


class ResidualL1(cgtk.GANModel):
    Config = ResidualL1Config

    def __init__(self, config=None):
        super().__init__(config)
        c = self.config
        inp = keras.Input((None, None, 3))
        x = inp
        for _ in range(c.depth):
            x = keras.layers.Conv2D(c.width, 3, padding="same", activation="relu")(x)
        x = keras.layers.Conv2D(3, 3, padding="same")(x)
        out = keras.layers.Activation("tanh")(keras.layers.Add()([inp, x]))
        self.G = keras.Model(inp, out, name="residual_l1")

    def phases(self):
        return [cgtk.Phase("generator", [self.G], self.l1_loss, lr=self.config.lr)]

    def l1_loss(self, batch, carry):  # not `loss`: that is keras.Model.loss
        a, b = batch
        l1 = ops.mean(ops.abs(ops.cast(self.G(a, training=True), "float32") - b))
        return l1, {"L1": l1}

    def inference(self):
        return {"generator": self.G}
