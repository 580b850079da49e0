"""What the report reads from a real (short) demo run: header, losses, samples,
provenance, eval results, checkpoints and exports."""
import json

from cgtk.report import gather


def test_header_records_the_run(demo_run):
    h = gather(demo_run).header
    assert (h["plugin"], h["backend"], h["precision"], h["data"]) == (
        "pix2pix", "tensorflow", "float32", "demo")
    assert h["devices"].startswith("1 x cpu")
    assert (h["steps_done"], h["epochs_done"], h["epochs_total"]) == (6, 2, 2)
    assert h["state"] == "finished" and h["wall_time_s"] > 0 and h["sessions"] == 1


def test_losses_grouped_by_phase_without_duplicates(demo_run):
    losses = gather(demo_run).losses
    assert losses["steps"] == [1, 2, 3, 4, 5, 6]
    groups = {g["phase"]: [s["name"] for s in g["series"]] for g in losses["groups"]}
    assert groups == {"discriminator": ["D"],            # D is the phase total: once
                      "generator": ["G_GAN", "G_L1", "loss_generator"]}
    assert sorted(s["name"] for s in losses["lr"]) == ["discriminator", "generator"]


def test_config_provenance(demo_run):
    sources = {k: s for k, _, s in gather(demo_run).config}
    assert sources["ngf"] == "--set" and sources["load_size"] == "--set"
    assert sources["epochs"] == "flag" and sources["seed"] == "flag"
    assert sources["lambda_l1"] == "default (Isola et al. 2017)"
    assert sources["keep"] == "default"


def test_eval_export_checkpoints_samples_and_live_report(demo_run):
    r = gather(demo_run)
    assert [e["split"] for e in r.evaluations] == ["test"]
    metrics = r.evaluations[0]["results"][0]["metrics"]
    assert set(metrics) >= {"l1", "psnr", "ssim"} and r.evaluations[0]["results"][0]["protocol"]
    assert r.exports[0]["parity"]["ok"] is True and r.exports[0]["parity"]["checks"]
    assert [c["global_step"] for c in r.checkpoints][-1] == 6
    assert [epoch for epoch, _ in r.samples] == [1, 2]
    assert r.networks[0]["name"] == "generator" and r.networks[0]["bytes"] > 0
    page = (demo_run / "report.html").read_text()         # written by cgtk train itself
    assert "finished" in page and 'http-equiv="refresh"' not in page
    assert json.loads((demo_run / "status.json").read_text())["state"] == "finished"
