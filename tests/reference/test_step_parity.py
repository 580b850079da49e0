"""One cgtk training step equals one step of the reference's ``optimize_parameters``.

From the same initial weights and batch (tiny widths, 32 px, dropout off), pix2pix
(vanilla GAN + 100 L1, D first), CycleGAN (LSGAN, lambda 10, identity 0.5, image pools
at step 1) and SRResNet (MSE) give the same loss terms (relative 1e-4) and the same
weights after the step (absolute 1e-5) as the PyTorch re-statement in
``tests/reference/steps.py``, on TensorFlow (in-process) and on JAX (a subprocess).
"""
import json

import pytest

pytest.importorskip("torch", reason="torch (test-only, torch==2.13.0 CPU) runs the "
                    "re-stated reference step")

from helpers import run_python  # noqa: E402

from reference import steps  # noqa: E402

TERMS_RTOL, WEIGHTS_ATOL = 1e-4, 1e-5
PHASES = {"pix2pix": ["discriminator", "generator"],
          "cyclegan": ["generators", "discriminators"], "srresnet": ["generator"]}
LR = {"pix2pix": 2e-4, "cyclegan": 2e-4, "srresnet": 1e-4}
TERMS = {"pix2pix": {"D", "G_GAN", "G_L1"},
         "cyclegan": {"G_A", "G_B", "cycle_A", "cycle_B", "idt_A", "idt_B", "D_A", "D_B"},
         "srresnet": {"G_mse"}}


def check(name, report):
    assert report["phases"] == PHASES[name]
    assert set(report["terms"]) == TERMS[name]
    for term, (ours, theirs) in report["terms"].items():
        assert ours == pytest.approx(theirs, rel=TERMS_RTOL), term
    assert report["weights"], "no weights compared"
    worst = max(report["weights"], key=report["weights"].get)
    assert report["weights"][worst] <= WEIGHTS_ATOL, (worst, report["weights"][worst])
    # Conv biases right before an affine-free instance norm have a zero gradient in exact
    # arithmetic; Adam's first step moves them by round-off noise scaled up to +-lr in
    # both frameworks (steps.biases_before_instance_norm). Only CycleGAN has them.
    assert bool(report["dead_biases"]) == (name == "cyclegan")
    assert all(v <= 2 * LR[name] * 1.001 for v in report["dead_biases"].values())
    # Elements whose reference gradient is below steps.GRAD_FLOOR (round-off decides
    # Adam's first step there): cgtk moved them by no more than Adam's bound, lr; few.
    small = sum(n for n, _ in report["round_off"].values())
    assert small <= 0.001 * report["n_weights"], (small, report["round_off"])
    assert all(m <= LR[name] * 1.001 for _, m in report["round_off"].values())


@pytest.mark.tensorflow_only
@pytest.mark.parametrize("name", steps.CASES)
def test_one_step_equals_the_reference_on_tensorflow(name):
    check(name, steps.compare_step(name))


@pytest.mark.tensorflow_only
def test_the_generator_first_order_is_caught():
    """The test can fail: pix2pix's old order (G, then D) gives other terms and weights."""
    report = steps.compare_step("pix2pix", update_order="G_first")
    assert report["phases"] == ["generator", "discriminator"]
    ours, theirs = report["terms"]["G_GAN"]
    assert ours != pytest.approx(theirs, rel=TERMS_RTOL)
    assert max(report["weights"].values()) > WEIGHTS_ATOL


def test_one_step_equals_the_reference_on_jax():
    code = """
    import json
    from reference import steps
    print("RESULT" + json.dumps({n: steps.compare_step(n) for n in steps.CASES}))
    """
    result = run_python(code, backend="jax")
    assert result.returncode == 0, result.stderr[-3000:]
    reports = json.loads(result.stdout.split("RESULT", 1)[1])
    for name in steps.CASES:
        check(name, reports[name])
