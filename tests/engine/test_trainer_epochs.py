"""How the trainer walks the data: passes within an epoch, and mid-epoch resume."""
from types import SimpleNamespace

import tensorflow as tf

from cgtk.engine.trainer import Trainer


class FakeData:
    """Batches labelled (data_epoch, position); 3 batches per pass."""

    def steps_per_epoch(self, batch_size):
        return 3

    def dataset(self, epoch, skip_batches=0):
        return tf.data.Dataset.from_tensor_slices([[epoch, i] for i in range(skip_batches, 3)])


class ListStepper:
    def distribute(self, dataset):
        return [tuple(int(v) for v in b) for b in dataset.as_numpy_iterator()]


def trainer(steps_per_epoch):
    config = SimpleNamespace(batch_size=1, steps_per_epoch=steps_per_epoch, epochs=2)
    return Trainer(model=None, data=FakeData(), run=None, config=config,
                   stepper=ListStepper(), checkpoints=None)


def test_one_pass_per_epoch_and_resume_inside_it():
    t = trainer(None)
    assert t._epoch_batches(1, 0) == [(1, 0), (1, 1), (1, 2)]
    assert t._epoch_batches(1, 2) == [(1, 2)]


def test_long_epochs_draw_fresh_passes_never_repeating_a_pass():
    t = trainer(7)  # 3 passes of 3 batches, cut at 7
    batches = t._epoch_batches(1, 0)
    assert batches == [(3, 0), (3, 1), (3, 2), (4, 0), (4, 1), (4, 2), (5, 0)]
    # resuming at step 4 of that epoch continues the same sequence
    assert t._epoch_batches(1, 4) == batches[4:]
