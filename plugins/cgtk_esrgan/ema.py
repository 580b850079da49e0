"""An exponential moving average of a network's weights (BasicSR's ``model_ema``).

After every training step ``ema = decay * ema + (1 - decay) * net`` for every weight
(Real-ESRGAN and BasicSR's ESRGAN: ``ema_decay: 0.999``). The average lives in a second
network of the same architecture whose weights are non-trainable variables of the
model, so checkpoints save it and a resume continues it; it is the network that
inference, ``cgtk eval`` and ``cgtk export`` use.

The update runs in the model's :meth:`~cgtk.GANModel.after_step` hook, inside the
compiled step, with ``keras.ops`` and ``variable.assign`` only (no backend code).
:meth:`~cgtk.GANModel.before_step` copies the average into the trained network once,
before the first step of a run: both then start from the same weights, including
weights that ``--init-from`` put on the inference (average) network.

>>> import keras, numpy as np
>>> src = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
>>> avg = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
>>> ema = WeightEMA(src, avg, decay=0.5)
>>> _ = src.layers[0].bias.assign(np.ones(1, "float32"))
>>> ema.update()
>>> float(np.asarray(avg.layers[0].bias)[0])   # 0.5 * 0 + 0.5 * 1
0.5
"""
from __future__ import annotations

import keras
from keras import ops


class WeightEMA:
    """Keeps ``average`` an EMA of ``source``'s weights (same architecture).

    ``average`` is made non-trainable and set equal to ``source`` at construction;
    ``steps`` counts the updates (a non-trainable int32 variable, checkpointed when
    the object that owns it is a Keras model attribute).
    """

    def __init__(self, source: keras.Model, average: keras.Model, decay: float,
                 steps=None):
        if not 0.0 < float(decay) < 1.0:
            raise ValueError(f"decay must be in (0, 1), got {decay}")
        self.source, self.average, self.decay = source, average, float(decay)
        mine = [tuple(v.shape) for v in source.weights]
        theirs = [tuple(v.shape) for v in average.weights]
        if mine != theirs:
            raise ValueError("the EMA network must have the source network's architecture")
        average.trainable = False
        average.set_weights(source.get_weights())
        self.steps = steps if steps is not None else keras.Variable(
            0, dtype="int32", trainable=False, name="ema_steps")

    def pairs(self):
        return zip(self.source.weights, self.average.weights, strict=True)

    def start(self) -> None:
        """Before the first update (``steps == 0``): ``source <- average``; else nothing."""
        first = ops.equal(self.steps.value, 0)
        for s, a in self.pairs():
            s.assign(ops.where(first, ops.cast(a.value, s.dtype), s.value))

    def update(self) -> None:
        """``average <- decay * average + (1 - decay) * source``; ``steps += 1``."""
        d = self.decay
        for s, a in self.pairs():
            new = d * ops.cast(a.value, "float32") + (1.0 - d) * ops.cast(s.value, "float32")
            a.assign(ops.cast(new, a.dtype))
        self.steps.assign(self.steps.value + 1)
