"""TorchAdam: PyTorch's Adam update over several steps, and its step scalars computed
once per apply (not once per variable) in a traced step."""
import keras
import numpy as np
import pytest

from cgtk.engine.optimizers import TorchAdam

torch = pytest.importorskip("torch", reason="torch (test-only) runs torch.optim.Adam")


def test_several_steps_equal_torch_adam():
    rng = np.random.default_rng(0)
    init = [rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=(5,)).astype("float32")]
    grads = [[(rng.normal(size=w.shape) * 10.0 ** -k).astype("float32") for w in init]
             for k in range(4)]             # shrinking gradients: the epsilon matters late
    ours = [keras.Variable(w) for w in init]
    opt = TorchAdam(learning_rate=0.01, beta_1=0.5, beta_2=0.99)
    theirs = [torch.nn.Parameter(torch.tensor(w)) for w in init]
    ref = torch.optim.Adam(theirs, lr=0.01, betas=(0.5, 0.99), eps=1e-8)
    for step in grads:
        opt.apply([np.asarray(g) for g in step], ours)
        for p, g in zip(theirs, step, strict=True):
            p.grad = torch.tensor(g)
        ref.step()
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(np.asarray(a), b.detach().numpy(), rtol=0, atol=1e-6)


@pytest.mark.tensorflow_only
def test_bias_corrections_are_traced_once_per_apply_not_per_variable():
    import tensorflow as tf

    variables = [keras.Variable(np.ones((2, 2), "float32")) for _ in range(6)]
    opt = TorchAdam(learning_rate=0.1)
    opt.build(variables)

    @tf.function(autograph=False)
    def step():
        opt.apply([tf.ones((2, 2))] * len(variables), variables)

    graph = step.get_concrete_function().graph
    pows = [op for op in graph.get_operations() if op.type == "Pow"]
    assert len(pows) == 2, [op.name for op in pows]        # beta_1^t and beta_2^t
