"""``cgtk train PLUGIN --data DATA``: train a plugin; ``--resume RUN_DIR`` continues a run."""
from __future__ import annotations

from pathlib import Path

import typer

from cgtk.cli import console


def train(
    plugin: str = typer.Argument(None, help="Plugin name (see 'cgtk plugins list'); with "
                                 "--resume it may be the run directory instead."),
    data: str = typer.Option(None, "--data", "-d", help="A known dataset name, a folder, or "
                             "'demo' (embedded, offline). Default: the plugin's default dataset."),
    epochs: int = typer.Option(None, help="Number of epochs."),
    steps_per_epoch: int = typer.Option(None, help="Steps per epoch (default: one pass)."),
    batch_size: int = typer.Option(None, help="Global batch size, over all devices."),
    image_size: int = typer.Option(None, help="Training crop size in pixels."),
    seed: int = typer.Option(None, help="Random seed; CPU runs with a seed repeat bit for bit."),
    backend: str = typer.Option(None, help="Keras backend: tensorflow (default) or jax."),
    strategy: str = typer.Option(None, help="auto | one | mirrored | multiworker."),
    jit: bool = typer.Option(None, "--jit/--no-jit", help="XLA (default: on for GPU, off "
                             "for CPU on TensorFlow; always on for JAX)."),
    precision: str = typer.Option(None, help="float32 | mixed_bfloat16 | mixed_float16."),
    checkpoint_every: int = typer.Option(None, help="Checkpoint every N steps."),
    keep: int = typer.Option(None, help="Checkpoints to keep."),
    set_: list[str] = typer.Option(None, "--set", help="Override a config key: KEY=VALUE "
                                   "(repeatable; 'cgtk plugins show NAME' lists the keys)."),
    config: Path = typer.Option(None, "--config", help="A TOML file of config keys."),
    run_dir: Path = typer.Option(None, "--run-dir", help="Where to write the run "
                                 "(default: runs/PLUGIN-YYYYmmdd-HHMMSS)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --run-dir (or "
                                "the RUN_DIR given instead of PLUGIN) exactly where it stopped."),
    restart: bool = typer.Option(False, "--restart", help="With --resume: train the run "
                                 "again from step 0 with its config (its previous files are "
                                 "moved to RUN_DIR/before-restart-*/, not deleted)."),
    init_from: Path = typer.Option(None, "--init-from", help="Start from the weights of "
                                   "another run's matching networks (nothing else), e.g. "
                                   "ESRGAN's GAN stage from its psnr stage."),
):
    """Train a plugin. Everything goes into a run directory that 'cgtk infer', 'cgtk eval',
    'cgtk export' and 'cgtk train --resume' read."""
    from cgtk.engine.launch import TrainRequest

    resume_dir = None
    if resume:
        if plugin and (Path(plugin) / "config.json").is_file():
            resume_dir, plugin = Path(plugin), None
        elif run_dir is not None:
            resume_dir = run_dir
        else:
            from cgtk.errors import CgtkError

            if plugin and ("/" in plugin or Path(plugin).exists()):  # a path, not a plugin
                if not Path(plugin).is_dir():
                    raise CgtkError(f"--resume {plugin}: no such directory")
                raise CgtkError(f"--resume {plugin}: not a cgtk run directory (it has no "
                                "config.json)", hint="pass the folder 'cgtk train' wrote")
            raise CgtkError("--resume needs a run directory",
                            hint="cgtk train --resume RUN_DIR, or --run-dir RUN_DIR --resume")
    flags = {"epochs": epochs, "steps_per_epoch": steps_per_epoch, "batch_size": batch_size,
             "image_size": image_size, "seed": seed, "backend": backend, "strategy": strategy,
             "jit": jit, "precision": precision, "checkpoint_every": checkpoint_every,
             "keep": keep}
    request = TrainRequest(plugin=plugin, data=data, run_dir=run_dir, resume=resume_dir,
                           config_file=config, sets=list(set_ or []), flags=flags,
                           init_from=init_from, restart=restart)
    raise typer.Exit(run_training(request))


def run_training(request) -> int:
    """Prepare and run; returns the exit code (0, 130 on SIGINT, 143 on SIGTERM)."""
    from cgtk.engine.launch import prepare

    console.info("preparing (importing the backend, building the data and networks)...")
    prepared = prepare(request, console=console.err)  # takes the run's lock
    try:
        return _train_prepared(prepared)
    finally:
        prepared.run.unlock()


def _train_prepared(prepared) -> int:
    import signal

    from cgtk.engine.trainer import Interrupted

    trainer, run = prepared.trainer, prepared.run
    for note in prepared.notes:
        console.warn(note)
    if prepared.finished_already:
        console.out.print(f"{run.path} already finished ({trainer.epochs} epochs, "
                          f"{trainer.global_step} steps): nothing to do. Give --epochs N to "
                          "train further.")
        return 0
    where = "resuming" if prepared.resumed_from else "starting"
    if prepared.resumed_from:
        console.info(resume_summary(trainer.epoch, trainer.step_in_epoch,
                                    trainer.steps_per_epoch, trainer.epochs))
    dist = trainer.distribution
    console.info(f"{where}: {trainer.model.name} on {trainer.config.backend} "
                 f"({dist.kind}, {dist.num_replicas} device(s), {dist.platform}, "
                 f"jit={'on' if trainer.jit else 'off'}, {trainer.config.precision}), "
                 f"{trainer.epochs} epochs x {trainer.steps_per_epoch} steps, "
                 f"batch {trainer.batch_size}; run: {run.path}")
    try:
        trainer.fit()
    except Interrupted as stop:
        console.warn(f"stopped by {stop} at step {trainer.global_step}; a checkpoint was written")
        console.info(f"resume with: cgtk train --resume {run.path}")
        return 128 + int(stop.signum) if stop.signum in (signal.SIGINT, signal.SIGTERM) else 1
    names = ", ".join(f"{n}.keras" for n in trainer.model.inference_networks())
    console.out.print(f"done: {run.path} (inference networks: {names})")
    console.out.print(f"next: cgtk infer {run.path} --input IMAGES --output OUT")
    return 0


def resume_summary(epoch: int, step_in_epoch: int, steps_per_epoch: int, epochs: int) -> str:
    """What a resumed run has done and what comes next (``epoch``: epochs completed).

    >>> resume_summary(20, 0, 50, 30)
    '20 epochs done (1000 steps); continuing with epoch 21 of 30'
    >>> resume_summary(1, 12, 50, 30)
    '1 epoch and 12 of 50 steps done (62 steps); continuing epoch 2 of 30 at step 13'
    """
    done = epoch * steps_per_epoch + step_in_epoch
    epochs_done = f"{epoch} epoch{'' if epoch == 1 else 's'}"
    if step_in_epoch:
        return (f"{epochs_done} and {step_in_epoch} of {steps_per_epoch} steps done "
                f"({done} steps); continuing epoch {epoch + 1} of {epochs} at step "
                f"{step_in_epoch + 1}")
    return f"{epochs_done} done ({done} steps); continuing with epoch {epoch + 1} of {epochs}"
