"""The training loop: epochs of compiled steps, checkpoints, guards and signals.

The loop is cgtk's own rather than ``keras.Model.fit``: it needs exact
mid-epoch resume, checkpoints every N steps, signal handling and
multi-worker training on TensorFlow, where Keras 3's ``fit`` fails
(keras-team/keras#20585). The step itself is ``model.train_step``, run by the
backend's :class:`Stepper` (``cgtk/engine/backend``).

Loss values stay on the device between logging intervals: every
``log_every`` steps (and before each checkpoint) they are fetched in one go,
checked for NaN/Inf *term by term*, and handed to the callbacks. A checkpoint
is written only after the steps before it passed that check, so the last
checkpoint is always a good one.
"""
from __future__ import annotations

import contextlib
import math
import signal
import time

import numpy as np

from cgtk.errors import CgtkError
from cgtk.native_logs import filtered_first_step
from cgtk.runs.writes import WriteFailed


class NonFiniteLoss(Exception):
    def __init__(self, term: str, step: int, value: float):
        super().__init__(f"loss term '{term}' became {value} at step {step}")
        self.term, self.step, self.value = term, step, value


class NonFiniteWeights(NonFiniteLoss):
    """Finite losses, but an update made a weight NaN/Inf (a NaN or Inf gradient): the
    loss check alone would report it one step late, after checkpointing those weights."""

    def __init__(self, variable: str, step: int, value: float):
        Exception.__init__(self, f"weight '{variable}' became {value} in the update of step "
                                 f"{step} (its losses were finite: a gradient was not)")
        self.term, self.step, self.value = variable, step, value


def first_non_finite(variables):
    """``(path, value)`` of the first variable holding a NaN/Inf, else None."""
    from keras import ops

    for v in variables:
        x = np.asarray(ops.convert_to_numpy(v))
        bad = ~np.isfinite(x)
        if bad.any():
            return getattr(v, "path", v.name), float(x[bad].flat[0])
    return None


class Interrupted(Exception):
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _SignalGuard:
    """Turns SIGINT/SIGTERM into a flag the loop checks between steps."""

    def __init__(self):
        self.received = None
        self._previous = {}

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._previous[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread: leave signals alone
                pass
        return self

    def _handle(self, signum, frame):
        if self.received is not None:  # a second signal: stop now
            raise KeyboardInterrupt
        self.received = signum

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        return False


class Trainer:
    """Runs a built model on its data, writing into its run directory.

    Built by :func:`cgtk.engine.builder.build`, which hands it every piece here.

    Args:
        callbacks: a list of callbacks, or a function ``trainer -> list`` (the default
            callbacks need the trainer they report on).
        resume_meta: the position of the checkpoint the model was restored from
            (``--resume``); the trainer continues from it, and callbacks that keep files
            (``truncate_after``) drop rows logged after it.
        distribution, jit, source: how and on what it trains (for messages and the
            report).
    """

    def __init__(self, *, model, data, run, config, stepper, checkpoints, callbacks=(),
                 sample_batch=None, console=None, is_chief=True, export=None,
                 distribution=None, jit=False, source=None, resume_meta=None):
        self.model = model
        self.data = data
        self.run = run
        self.config = config
        self.stepper = stepper
        self.checkpoints = checkpoints
        self.sample_batch = sample_batch
        self.console = console
        self.is_chief = is_chief
        self.export = export
        self.distribution = distribution
        self.jit = jit
        self.source = source
        self.batch_size = config.batch_size
        natural = data.steps_per_epoch(config.batch_size)
        self.natural_steps = natural
        self.steps_per_epoch = config.steps_per_epoch or natural
        self.epochs = config.epochs
        self.total_steps = self.epochs * self.steps_per_epoch
        self.global_step = 0
        self.epoch = 0
        self.step_in_epoch = 0
        self._pending = []
        self._compiled = False  # has this process run (and so compiled) a step yet?
        self.last_grid = None
        self.resumed_from = None
        if resume_meta is not None:
            self.restore(resume_meta)
        self.callbacks = list(callbacks(self) if callable(callbacks) else callbacks)
        if resume_meta is not None:
            for cb in self.callbacks:
                if hasattr(cb, "truncate_after"):
                    cb.truncate_after(self.global_step)

    @property
    def finished(self) -> bool:
        """Every step of every epoch done (a resumed run that has nothing left)."""
        return self.global_step >= self.total_steps

    # ------------------------------------------------------------ state ---

    def position(self) -> dict:
        return {"global_step": self.global_step, "epoch": self.epoch,
                "step_in_epoch": self.step_in_epoch, "steps_per_epoch": self.steps_per_epoch,
                "epochs": self.epochs, "finished": self.global_step >= self.total_steps,
                "time": time.time()}

    def restore(self, meta: dict) -> None:
        """Continue from a checkpoint's position (the variables are already loaded)."""
        self.global_step = int(meta["global_step"])
        self.epoch, self.step_in_epoch = divmod(self.global_step, self.steps_per_epoch)
        self.resumed_from = meta
        self.stepper.reload()

    def learning_rates(self) -> dict:
        from cgtk.engine.optimizers import current_lr

        self.stepper.sync()
        return {p.name: current_lr(o)
                for p, o in zip(self.model.training_phases, self.model.phase_optimizers)}

    def sample_columns(self) -> dict:
        """Model outputs for the fixed held-out inputs, as NumPy, for sample grids."""
        from keras import ops

        self.stepper.sync()
        columns = self.model.sample_columns(self.sample_batch)
        return {k: np.asarray(ops.convert_to_numpy(v), dtype=np.float32)
                for k, v in columns.items()}

    # ------------------------------------------------------------- data ---

    def _epoch_batches(self, epoch: int, skip: int):
        """The batches of ``epoch`` from position ``skip`` on.

        When ``steps_per_epoch`` exceeds one pass over the data, the epoch is made of
        several passes, each with its own shuffle and augmentations (data epoch
        ``epoch * passes + p``), so no crop repeats within an epoch.
        """
        natural = self.natural_steps
        passes = math.ceil(self.steps_per_epoch / natural)
        if passes == 1:
            dataset = self.data.dataset(epoch, skip_batches=skip)
        else:
            first, within = divmod(skip, natural)
            dataset = self.data.dataset(epoch * passes + first, skip_batches=within)
            for p in range(first + 1, passes):
                dataset = dataset.concatenate(self.data.dataset(epoch * passes + p))
        return self.stepper.distribute(dataset.take(self.steps_per_epoch - skip))

    # ------------------------------------------------------------ guards ---

    def flush(self) -> None:
        """Fetch pending losses, check each term, hand rows to the callbacks."""
        if not self._pending:
            return
        rows = []
        for step, epoch, stamp, logs in self._pending:
            values = self.stepper.logs_to_numpy(logs)
            for term, value in values.items():
                if not math.isfinite(value):
                    self._pending = []
                    raise NonFiniteLoss(term, step, value)
            rows.append({"step": step, "epoch": epoch, "time": stamp, **values})
        self._pending = []
        for cb in self.callbacks:
            cb.on_logs(self, rows)

    def save_checkpoint(self) -> None:
        self.flush()
        self.stepper.sync()
        bad = first_non_finite(self.model.trainable_variables)
        if bad is not None:  # never checkpoint weights that the last update broke
            raise NonFiniteWeights(bad[0], self.global_step, bad[1])
        if self.is_chief:
            self.checkpoints.save(self.model, self.position())
            if self.export is not None:
                self.export(self)

    # -------------------------------------------------------------- loop ---

    def fit(self) -> str:
        """Train to the end; returns "finished". Raises Interrupted or CgtkError."""
        try:
            for cb in self.callbacks:
                cb.on_train_begin(self)
        except (OSError, WriteFailed) as err:
            raise self._write_failed(err) from err
        status = "failed"
        write_failed = False
        try:
            with _SignalGuard() as guard:
                self._loop(guard)
            status = "finished"
        except NonFiniteLoss as err:
            last = self.checkpoints.latest()
            where = f"the last good checkpoint is {last}" if last else "no checkpoint was written"
            raise CgtkError(f"{err}; training stopped ({where})",
                            hint="lower the learning rate, or check the data") from None
        except Interrupted:
            status = "interrupted"
            raise
        except (OSError, WriteFailed) as err:  # disk full, file-size limit, permission
            write_failed = True
            raise self._write_failed(err) from err
        finally:
            for cb in self.callbacks:
                try:
                    cb.on_train_end(self, status)
                except Exception as cb_err:  # noqa: BLE001 - never mask the real outcome
                    if write_failed and isinstance(cb_err, (OSError, WriteFailed)):
                        continue  # the same full disk again: the one line says it all
                    if self.console is not None:
                        self.console.print(f"[yellow]callback {type(cb).__name__} failed at "
                                           f"the end: {cb_err}[/]")
        if self.is_chief and self.export is not None:  # as `cgtk infer` will load them
            from cgtk.engine.reload_check import check_reloads

            check_reloads([self.run.inference_path(n) for n in self.model.inference_networks()])
        return status

    def _write_failed(self, err: OSError) -> CgtkError:
        """One line for a failed write: the file, the errno, the last good checkpoint and
        how to resume (every write goes through a temporary name: nothing was replaced)."""
        if not isinstance(err, WriteFailed):
            where = err.filename or f"a file in {self.run.path}"
            err = WriteFailed(where, err)
        last = self.checkpoints.latest() if self.is_chief else None
        kept = (f"the last complete checkpoint is {last.name}" if last
                else "no checkpoint was written")
        return CgtkError(err.message, hint=f"{kept}; free some disk space, raise the "
                         "file-size limit or fix the permissions, then: cgtk train "
                         f"--resume {self.run.path}")

    def _loop(self, guard) -> None:
        every = self.config.checkpoint_every
        log_every = self.config.log_every
        while self.epoch < self.epochs:
            epoch = self.epoch
            for batch in self._epoch_batches(epoch, self.step_in_epoch):
                # the compiling step: Grappler's known chatter is filtered
                with contextlib.nullcontext() if self._compiled else filtered_first_step():
                    logs = self.stepper.step(batch)
                self._compiled = True
                self.global_step += 1
                self.step_in_epoch += 1
                self._pending.append((self.global_step, epoch, time.time(), logs))
                for cb in self.callbacks:
                    cb.on_step(self)
                if self.global_step % log_every == 0:
                    self.flush()
                if every and self.global_step % every == 0 and self.step_in_epoch < self.steps_per_epoch:
                    self.save_checkpoint()
                if guard.received is not None:
                    self.save_checkpoint()
                    raise Interrupted(guard.received)
            if self.step_in_epoch < self.steps_per_epoch:
                raise CgtkError(
                    f"the data ran out after {self.step_in_epoch} of {self.steps_per_epoch} "
                    f"steps in epoch {epoch + 1}", hint="lower --steps-per-epoch")
            self.epoch, self.step_in_epoch = epoch + 1, 0
            self.save_checkpoint()
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch)
