"""The linear-decay schedules equal the references' LambdaLR, epoch by epoch."""
import pytest

from cgtk.engine.schedules import EpochSchedule

torch = pytest.importorskip("torch", reason="torch (test-only) re-runs the reference's LambdaLR")


def reference_rates(n_epochs, n_epochs_decay, *, step_at_start):
    """The rate of each 1-based epoch of the reference's train.py loop (epoch_count=1)."""
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.Adam([param], lr=1.0)

    def lambda_rule(epoch):  # models/networks.py get_scheduler, lr_policy=linear
        return 1.0 - max(0, epoch + 1 - n_epochs) / float(n_epochs_decay + 1)

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda_rule)
    rates = []
    for _ in range(1, n_epochs + n_epochs_decay + 1):
        if step_at_start:  # junyanz train.py: update_learning_rate() "in the beginning"
            optimizer.step()  # (keeps torch from warning about the call order)
            scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
        if not step_at_start:  # CUT train.py: "at the end of every epoch"
            optimizer.step()
            scheduler.step()
    return rates


@pytest.mark.parametrize(("policy", "at_start"), [("linear_decay", True),
                                                   ("linear_decay_end", False)])
@pytest.mark.parametrize(("n", "d"), [(100, 100), (3, 5), (1, 1)])
def test_linear_decay_equals_the_reference_lambda_lr(policy, at_start, n, d):
    steps = 3
    schedule = EpochSchedule(2.0, policy, steps_per_epoch=steps, n_epochs=n, n_epochs_decay=d)
    ours = [float(schedule(e * steps + steps - 1)) / 2.0 for e in range(n + d)]
    assert ours == pytest.approx(reference_rates(n, d, step_at_start=at_start), abs=1e-6)


def test_linear_decay_100_plus_100():
    """The reference's 200 epochs: 99 at the full rate, the last at 0 (start-of-epoch step)."""
    schedule = EpochSchedule(1.0, "linear_decay", steps_per_epoch=1, n_epochs=100,
                             n_epochs_decay=100)
    rates = [float(schedule(e)) for e in range(200)]
    assert rates[:99] == [1.0] * 99 and rates[99] == pytest.approx(1 - 1 / 101)
    assert rates[-1] == 0.0
    end = EpochSchedule(1.0, "linear_decay_end", steps_per_epoch=1, n_epochs=100,
                        n_epochs_decay=100)
    assert [float(end(e)) for e in range(100)] == [1.0] * 100
    assert float(end(199)) == pytest.approx(1 / 101)
