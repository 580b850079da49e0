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
    from cgtk.app.resume import ResumeRequest
    from cgtk.app.resume import resume as resume_run
    from cgtk.app.train import TrainRequest
    from cgtk.app.train import train as train_run

    flags = {"epochs": epochs, "steps_per_epoch": steps_per_epoch, "batch_size": batch_size,
             "image_size": image_size, "seed": seed, "backend": backend, "strategy": strategy,
             "jit": jit, "precision": precision, "checkpoint_every": checkpoint_every,
             "keep": keep}
    request = TrainRequest(plugin=plugin, data=data, run_dir=run_dir, config_file=config,
                           sets=list(set_ or []), flags=flags, init_from=init_from,
                           restart=restart)
    if resume:
        result = resume_run(ResumeRequest(plugin, request), console.feedback())
    else:
        result = train_run(request, console.feedback())
    raise typer.Exit(render(result))


def render(result) -> int:
    """Print how the run ended; its exit code."""
    if result.status == "already_finished":
        console.out.print(f"{result.run_dir} already finished ({result.epochs} epochs, "
                          f"{result.global_step} steps): nothing to do. Give --epochs N to "
                          "train further.")
    elif result.status == "interrupted":
        console.warn(f"stopped by {result.signal_name} at step {result.global_step}; a "
                     "checkpoint was written")
        console.info(f"resume with: cgtk train --resume {result.run_dir}")
    else:
        console.out.print(f"done: {result.run_dir} (inference networks: "
                          f"{', '.join(result.inference_files)})")
        console.out.print(f"next: cgtk infer {result.run_dir} --input IMAGES --output OUT")
    return result.exit_code
