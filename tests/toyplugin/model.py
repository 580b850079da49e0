"""ToyGAN: a two-layer generator and a PatchGAN-like critic on paired data.

The generator contains a :class:`CallCounter`, a layer whose non-trainable
variable counts forward passes *as executed*, so tests can check that the
discriminator phase reuses the generator's fakes instead of recomputing them.
"""
from dataclasses import dataclass

import keras
from keras import ops

import cgtk
from cgtk.config import option
from cgtk.engine.model import Inference


@keras.saving.register_keras_serializable(package="cgtk_tests")
class CallCounter(keras.layers.Layer):
    def build(self, input_shape):
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="calls", dtype="float32")

    def call(self, x):
        self.calls.assign(self.calls + 1.0)
        return x


class Unregistered(keras.layers.Layer):
    """A custom layer a plugin author forgot to register as serialisable."""

    def call(self, x):
        return x


@dataclass
class ToyConfig(cgtk.TrainConfig):
    width: int = option(8, "hidden channels", fixed=True)
    lambda_l1: float = option(10.0, "weight of the L1 term")
    dropout: float = option(0.0, "dropout in the generator (exercises seed state)")
    nan_at_step: int = option(-1, "test hook: make G_l1 NaN from this step on (-1: never)")
    nan_grad_at_step: int = option(
        -1, "test hook: at this 1-based step the losses stay finite but G's gradient is NaN "
        "(sqrt at 0), so the weights after it are NaN (-1: never)")
    epochs: int = option(2, "number of epochs to train")
    batch_size: int = option(4, "global batch size")
    image_size: int = option(16, "training crop size")
    flip: bool = option(False, "random horizontal flips")
    unregistered_layer: bool = option(False, "test hook: put an unregistered layer in G")


class ToyGAN(cgtk.GANModel):
    Config = ToyConfig

    def __init__(self, config=None):
        super().__init__(config)
        c = self.config
        inp = keras.Input((None, None, 3))
        x = CallCounter(name="counter")(inp)
        if c.unregistered_layer:
            x = Unregistered(name="forgotten")(x)
        x = keras.layers.Conv2D(c.width, 3, padding="same", activation="relu")(x)
        if c.dropout:
            x = keras.layers.Dropout(c.dropout, seed=1)(x)
        out = keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x)
        self.G = keras.Model(inp, out, name="G")
        dinp = keras.Input((None, None, 6))
        y = keras.layers.Conv2D(c.width, 4, strides=2, padding="same")(dinp)
        y = keras.layers.LeakyReLU(0.2)(y)
        self.D = keras.Model(dinp, keras.layers.Conv2D(1, 3, padding="same")(y), name="D")
        self.step_counter = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                            name="step_counter")

    def phases(self):
        return [cgtk.Phase("generator", [self.G], self.generator_loss, lr=2e-3, beta_1=0.5),
                cgtk.Phase("discriminator", [self.D], self.discriminator_loss, lr=2e-3,
                           beta_1=0.5)]

    def generator_loss(self, batch, carry):
        a, b = batch
        fake = self.G(a, training=True)
        logits = ops.cast(self.D(ops.concatenate([a, fake], -1), training=True), "float32")
        adv = ops.mean(ops.square(logits - 1.0))
        l1 = ops.mean(ops.abs(ops.cast(fake, "float32") - ops.cast(b, "float32")))
        self.step_counter.assign(self.step_counter + 1.0)
        if self.config.nan_at_step >= 0:
            l1 = ops.where(self.step_counter > self.config.nan_at_step, float("nan"), l1)
        carry["fake"] = fake
        total = adv + self.config.lambda_l1 * l1
        if self.config.nan_grad_at_step >= 0:  # value 0 at that step, gradient 0 * inf
            gate = ops.where(self.step_counter == self.config.nan_grad_at_step, 0.0, 1.0)
            total = total + 1e-3 * ops.sqrt(gate * ops.mean(ops.square(fake)))
        return total, {"G_gan": adv, "G_l1": l1}

    def discriminator_loss(self, batch, carry):
        a, b = batch
        fake = ops.stop_gradient(carry["fake"])
        real = ops.cast(self.D(ops.concatenate([a, b], -1), training=True), "float32")
        pred = ops.cast(self.D(ops.concatenate([a, fake], -1), training=True), "float32")
        loss = 0.5 * (ops.mean(ops.square(real - 1.0)) + ops.mean(ops.square(pred)))
        return loss, {"D": loss}

    def inference(self):
        return {"generator": Inference(self.G, description="A -> B")}

    def generator_calls(self) -> float:
        return float(ops.convert_to_numpy(self.G.get_layer("counter").calls))
