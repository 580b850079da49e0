"""``cgtk import PLUGIN FILE... --run-dir DIR``: PyTorch reference weights -> a run directory."""
from __future__ import annotations

from pathlib import Path

import typer

from cgtk.cli import console

HELP = (
    "Import a reference PyTorch model (.pth / .safetensors) as a cgtk run directory.\n\n"
    "The result is an ordinary run: 'cgtk infer DIR', 'cgtk eval DIR', 'cgtk export DIR' "
    "and 'cgtk plugins show' work on it. No torch is needed and no code from the file "
    "runs: a restricted reader allows only tensors and refuses anything else.\n\n"
    "Supported files (docs/import.md says where each project publishes them):\n\n"
    "- cyclegan: junyanz/pytorch-CycleGAN-and-pix2pix ResnetGenerator, e.g. the pretrained "
    "zoo's latest_net_G.pth (horse2zebra, monet2photo, ...) or latest_net_G_A.pth / "
    "latest_net_G_B.pth. One file fills a2b (or --network b2a); two files fill a2b, then "
    "b2a.\n"
    "- pix2pix: junyanz UnetGenerator (unet_256, unet_128, any depth) or ResnetGenerator "
    "(6/9 blocks), e.g. facades_label2photo's latest_net_G.pth.\n"
    "- style: pytorch/examples fast_neural_style TransformerNet: candy.pth, mosaic.pth, "
    "rain_princess.pth, udnie.pth (builds upsample=nearest, output=pixels255).\n"
    "- srresnet: BasicSR MSRResNet x2/x3/x4; 'params_ema' / 'params' wrappers are "
    "unwrapped (builds arch=msrresnet).\n"
    "- esrgan / realesrgan: RRDBNet x4 or x2 from BasicSR or Real-ESRGAN "
    "(RRDB_ESRGAN_x4.pth, RRDB_PSNR_x4.pth, RealESRGAN_x4plus.pth, "
    "RealESRNet_x4plus.pth; 'params_ema' preferred over 'params') or the original ESRGAN "
    "repository's naming.\n\n"
    "Read off the file's shapes: ngf / widths, residual blocks, U-Net depth, norm (batch "
    "if BN running stats are present), upscale factor. --set covers the rest; a --set "
    "that contradicts the file is an error. Strict: a file tensor left unused or a network "
    "weight left unassigned is an error naming the key and its shape. Nothing is written "
    "unless the import succeeds.\n\n"
    "Example:\n\n"
    "cgtk import cyclegan horse2zebra.pth --run-dir runs/h2z\n\n"
    "cgtk infer runs/h2z --input photos/ --output out/\n\n"
    "cgtk export runs/h2z --format litert --output h2z.tflite"
)


def import_weights(
    plugin: str = typer.Argument(..., help="The plugin: cyclegan, pix2pix, style, srresnet, "
                                 "esrgan, realesrgan (or any plugin that declares reference "
                                 "weights)."),
    files: list[Path] = typer.Argument(..., help="The weights file(s): .pth/.pt (torch.save "
                                       "zip) or .safetensors; one per inference network."),
    run_dir: Path = typer.Option(..., "--run-dir", help="The run directory to create."),
    sets: list[str] = typer.Option([], "--set", help="KEY=VALUE for an option the file "
                                   "does not tell (repeatable), e.g. "
                                   "dropout_at_inference=false."),
    network: str = typer.Option(None, "--network", help="The inference network a single "
                                "file fills (cyclegan: a2b or b2a). Default: the first."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --run-dir."),
    backend: str = typer.Option(None, "--backend", help="Keras backend: tensorflow "
                                "(default) or jax."),
):
    from cgtk.app.import_weights import ImportRequest
    from cgtk.app.import_weights import import_weights as run_import

    result = run_import(ImportRequest(plugin=plugin, files=files, run_dir=run_dir, sets=sets,
                                      network=network, force=force, backend=backend),
                        console.feedback())
    for entry in result.imported:
        ignored = len(entry["ignored_keys"])
        extra = f", {ignored} ignored (num_batches_tracked / running stats)" if ignored else ""
        console.out.print(f"{entry['file']} ({entry['architecture']}, sha256 "
                          f"{entry['sha256'][:12]}): {len(entry['mapping'])} tensors -> "
                          f"{entry['network']}.keras{extra}")
    if result.inferred:
        console.out.print("read off the file: " + ", ".join(
            f"{k}={v}" for k, v in result.inferred.items()))
    console.out.print(f"wrote {result.run_dir}  (next: cgtk infer {result.run_dir} "
                      "--input IMAGES --output OUT)")


import_weights.__doc__ = HELP
