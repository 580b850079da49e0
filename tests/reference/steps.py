"""One training step of the references, re-stated in PyTorch (test-only; needs torch).

The torch side of ``tests/reference/test_step_parity.py``: from the same initial
weights and batch, one cgtk step (every phase, in order) must equal one step of the
reference's ``optimize_parameters`` -- the same loss terms and the same weights after.
That proves loss weighting, update order and optimizer settings (Adam's epsilon
included), which no parameter count can.

* :class:`TorchGraph` runs a cgtk (Keras functional) network with ``torch.nn.functional``
  ops on torch copies of its weights, in NCHW, in training mode (batch norm on batch
  statistics, PyTorch's running-statistics update). It is an interpreter of the Keras
  graph, layer by layer, so this test needs no weight mapping; forward parity of cgtk's
  networks with the reference *architectures* is the job of the import tests.
* :func:`pix2pix_step`, :func:`cyclegan_step`, :func:`srresnet_step` re-state the
  references' ``optimize_parameters`` with ``torch.optim.Adam`` and the references'
  hyper-parameters written out here (not read from cgtk's configs).
* :func:`compare_step` builds a tiny cgtk model, runs both steps and reports the
  differences; the JAX test runs it in a subprocess.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# ------------------------------------------------------------ the graph runner ---


#: Below this reference gradient (per element), float32 round-off decides Adam's first
#: step: ``lr * g / (|g| + 1e-8)`` has slope ``lr * 1e-8 / (|g| + 1e-8)**2`` (``lr / 4e-8`` at
#: ``|g| = 1e-8``), so a gradient that differs by 1e-9 between two correct implementations
#: moves the weight by up to ``lr`` either way. Such elements are checked against Adam's
#: bound instead.
GRAD_FLOOR = 1e-5
#: ... and only where they differ by more than this (the test's weight tolerance).
EXCUSED_ABOVE = 1e-5


def _numpy(variable):
    import keras

    return np.array(keras.ops.convert_to_numpy(variable), dtype=np.float32)


def _nchw(x):
    return torch.as_tensor(np.asarray(x, dtype=np.float32)).permute(0, 3, 1, 2).contiguous()


def _nhwc(t):
    return t.detach().permute(0, 2, 3, 1).numpy()


class TorchGraph:
    """A Keras functional network evaluated with torch ops (NCHW, training mode).

    Parameters stay in Keras' layout (Adam is element-wise, so the layout does not
    change the step); kernels are permuted inside :meth:`__call__`.
    """

    def __init__(self, net):
        self.net = net
        self.params = {}   # id(keras variable) -> torch Parameter
        self.buffers = {}  # id(keras variable) -> torch tensor (batch-norm statistics)
        self.names = {}
        self.initial = {}
        for v in net.trainable_variables:
            self.initial[id(v)] = _numpy(v)
            self.params[id(v)] = torch.nn.Parameter(torch.tensor(self.initial[id(v)]))
            self.names[id(v)] = v.path
        for v in net.non_trainable_variables:
            if v.dtype == "float32":
                self.buffers[id(v)] = torch.tensor(_numpy(v))
                self.names[id(v)] = v.path

    def parameters(self):
        return list(self.params.values())

    def _p(self, variable):
        return self.params[id(variable)]

    def __call__(self, x):
        return self.net._run_through_graph(x, operation_fn=lambda op: (
            lambda *args, **kwargs: self._apply(op, *args, **kwargs)))

    def _apply(self, layer, *args, **kwargs):
        kind = type(layer).__name__
        x = args[0]
        if kind == "Conv2D":
            assert layer.dilation_rate == (1, 1) and layer.groups == 1, layer.name
            kernel = self._p(layer.kernel)
            if layer.padding == "valid":
                pad = 0
            else:  # "same", stride 1, odd kernel: symmetric
                assert layer.strides == (1, 1) and kernel.shape[0] % 2 == 1, layer.name
                pad = kernel.shape[0] // 2
            bias = self._p(layer.bias) if layer.use_bias else None
            return F.conv2d(x, kernel.permute(3, 2, 0, 1), bias, stride=layer.strides,
                            padding=pad)
        if kind == "Conv2DTranspose":
            assert layer.padding == "valid" and layer.output_padding is None, layer.name
            bias = self._p(layer.bias) if layer.use_bias else None
            # Keras (kh, kw, out, in) -> torch (in, out, kh, kw); both are conv2d's gradient
            return F.conv_transpose2d(x, self._p(layer.kernel).permute(3, 2, 0, 1), bias,
                                      stride=layer.strides)
        if kind in ("BatchNormalization", "ImageStatsBatchNorm"):  # training mode: plain BN
            assert layer.axis in (-1, 3), layer.name
            return F.batch_norm(x, self.buffers[id(layer.moving_mean)],
                                self.buffers[id(layer.moving_variance)],
                                self._p(layer.gamma) if layer.scale else None,
                                self._p(layer.beta) if layer.center else None,
                                training=True, momentum=1.0 - layer.momentum,
                                eps=layer.epsilon)
        if kind == "GroupNormalization":
            assert layer.groups in (-1, x.shape[1]) and not layer.scale and not layer.center
            return F.instance_norm(x, eps=layer.epsilon)
        if kind == "ReLU":
            assert not layer.negative_slope and layer.max_value is None, layer.name
            return F.relu(x)
        if kind == "LeakyReLU":
            return F.leaky_relu(x, layer.negative_slope)
        if kind == "PReLU":
            alpha = self._p(layer.alpha).reshape(1, -1, 1, 1)
            return torch.where(x >= 0, x, alpha * x)
        if kind == "Activation":
            fn = {"tanh": torch.tanh, "linear": lambda t: t, "sigmoid": torch.sigmoid,
                  "relu": F.relu}[layer.activation.__name__]
            return fn(x)
        if kind == "Add":
            return sum(x[1:], x[0])
        if kind == "Concatenate":
            assert layer.axis in (-1, 3), layer.name
            return torch.cat(list(x), dim=1)
        if kind in ("ZeroPadding2D", "ReflectionPadding2D"):
            (top, bottom), (left, right) = layer.padding
            mode = "constant" if kind == "ZeroPadding2D" else "reflect"
            return F.pad(x, (left, right, top, bottom), mode=mode)
        if kind == "Cropping2D":
            (top, bottom), (left, right) = layer.cropping
            return x[:, :, top:x.shape[2] - bottom, left:x.shape[3] - right]
        if kind == "PixelShuffle":  # cgtk's is depth_to_space (DCR), not torch's CRD
            r = layer.scale
            b, c, h, w = x.shape
            x = x.reshape(b, r, r, c // (r * r), h, w).permute(0, 3, 4, 1, 5, 2)
            return x.reshape(b, c // (r * r), h * r, w * r)
        if kind in ("Dropout", "AlwaysDropout"):
            raise AssertionError(f"{layer.name}: the step-parity test runs with dropout off")
        raise NotImplementedError(f"TorchGraph: no torch op for {kind} ({layer.name})")

    def weight_diffs(self, grad_floor: float = GRAD_FLOOR) -> tuple[dict, dict]:
        """Compare the weights after both steps.

        Returns ``({path: max |torch - keras|}, {path: (n, max |keras update|)})``: the
        first over every element except those whose reference gradient is below
        ``grad_floor`` (round-off level, see :data:`GRAD_FLOOR`) *and* that differ by
        more than :data:`EXCUSED_ABOVE`; the second counts those ``n`` and gives the
        largest cgtk update among the round-off-level elements.
        """
        by_id = {id(v): v for v in self.net.weights}
        diffs, small = {}, {}
        for key, tensor in {**self.params, **self.buffers}.items():
            ours = _numpy(by_id[key])
            diff = np.abs(tensor.detach().numpy() - ours)
            grad = getattr(tensor, "grad", None)
            if grad is not None:
                tiny = np.abs(grad.numpy()) < grad_floor
                excused = tiny & (diff > EXCUSED_ABOVE)
                if excused.any():
                    moved = np.abs(ours - self.initial[key])[tiny]
                    small[self.names[key]] = (int(excused.sum()), float(moved.max()))
                diff = diff[~excused]
            diffs[self.names[key]] = float(diff.max()) if diff.size else 0.0
        return diffs, small


def biases_before_instance_norm(net) -> set:
    """Paths of the conv biases that an instance norm (no affine) follows directly.

    Their gradient is zero in exact arithmetic -- the norm subtracts any per-channel
    constant -- so what each framework computes is round-off of either sign, and
    Adam's first step turns it into ``+-lr * |g| / (|g| + eps)``, up to ``lr``.
    The reference has the same biases (``use_bias = norm == InstanceNorm2d``).
    """
    dead = set()
    for nodes in net._nodes_by_depth.values():
        for node in nodes:
            if type(node.operation).__name__ != "GroupNormalization":
                continue
            source = node.input_tensors[0]._keras_history.operation
            if type(source).__name__ == "Cropping2D":
                source = source._inbound_nodes[0].input_tensors[0]._keras_history.operation
            if type(source).__name__ in ("Conv2D", "Conv2DTranspose") and source.use_bias:
                dead.add(source.bias.path)
    return dead


def _set_requires_grad(net: TorchGraph, flag: bool):
    for p in net.parameters():
        p.requires_grad_(flag)


def _adam(nets, lr, betas):
    return torch.optim.Adam([p for n in nets for p in n.parameters()], lr=lr, betas=betas)


def _gan_loss(logits, target_is_real: bool, mode: str):
    """The reference's GANLoss (models/networks.py) for lsgan and vanilla."""
    target = torch.full_like(logits, 1.0 if target_is_real else 0.0)
    if mode == "lsgan":
        return F.mse_loss(logits, target)
    if mode == "vanilla":
        return F.binary_cross_entropy_with_logits(logits, target)
    raise ValueError(mode)


# ------------------------------------------------- the references' steps ---


def pix2pix_step(G, D, real_A, real_B, *, lambda_L1=100.0, gan_mode="vanilla",
                 lr=2e-4, betas=(0.5, 0.999)) -> dict:
    """``Pix2PixModel.optimize_parameters``: forward, update D, then G against the new D."""
    optimizer_G, optimizer_D = _adam([G], lr, betas), _adam([D], lr, betas)
    fake_B = G(real_A)                                       # forward()
    _set_requires_grad(D, True)                              # update D
    optimizer_D.zero_grad()
    loss_D_fake = _gan_loss(D(torch.cat((real_A, fake_B), 1).detach()), False, gan_mode)
    loss_D_real = _gan_loss(D(torch.cat((real_A, real_B), 1)), True, gan_mode)
    loss_D = (loss_D_fake + loss_D_real) * 0.5
    loss_D.backward()
    optimizer_D.step()
    _set_requires_grad(D, False)                             # update G
    optimizer_G.zero_grad()
    loss_G_GAN = _gan_loss(D(torch.cat((real_A, fake_B), 1)), True, gan_mode)
    loss_G_L1 = F.l1_loss(fake_B, real_B) * lambda_L1
    (loss_G_GAN + loss_G_L1).backward()
    optimizer_G.step()
    return {"D": loss_D, "G_GAN": loss_G_GAN, "G_L1": loss_G_L1}


def cyclegan_step(G_A, G_B, D_A, D_B, real_A, real_B, *, lambda_A=10.0, lambda_B=10.0,
                  lambda_identity=0.5, gan_mode="lsgan", lr=2e-4, betas=(0.5, 0.999)) -> dict:
    """``CycleGANModel.optimize_parameters``: forward, update G_A and G_B, then D_A and D_B.

    The image pools are at step 1, where ``query`` returns the current fakes.
    """
    optimizer_G, optimizer_D = _adam([G_A, G_B], lr, betas), _adam([D_A, D_B], lr, betas)
    fake_B = G_A(real_A)                                     # forward()
    rec_A = G_B(fake_B)
    fake_A = G_B(real_B)
    rec_B = G_A(fake_A)
    _set_requires_grad(D_A, False)                           # backward_G
    _set_requires_grad(D_B, False)
    optimizer_G.zero_grad()
    losses = {}
    if lambda_identity > 0:
        losses["idt_A"] = F.l1_loss(G_A(real_B), real_B) * lambda_B * lambda_identity
        losses["idt_B"] = F.l1_loss(G_B(real_A), real_A) * lambda_A * lambda_identity
    losses["G_A"] = _gan_loss(D_A(fake_B), True, gan_mode)
    losses["G_B"] = _gan_loss(D_B(fake_A), True, gan_mode)
    losses["cycle_A"] = F.l1_loss(rec_A, real_A) * lambda_A
    losses["cycle_B"] = F.l1_loss(rec_B, real_B) * lambda_B
    sum(losses.values()).backward()
    optimizer_G.step()
    _set_requires_grad(D_A, True)                            # backward_D_A, backward_D_B
    _set_requires_grad(D_B, True)
    optimizer_D.zero_grad()

    def backward_D_basic(netD, real, fake):
        loss = (_gan_loss(netD(real), True, gan_mode)
                + _gan_loss(netD(fake.detach()), False, gan_mode)) * 0.5
        loss.backward()
        return loss

    losses["D_A"] = backward_D_basic(D_A, real_B, fake_B)   # fake_B_pool.query(fake_B)
    losses["D_B"] = backward_D_basic(D_B, real_A, fake_A)   # fake_A_pool.query(fake_A)
    optimizer_D.step()
    return losses


def srresnet_step(G, lr_image, hr_image, *, lr=1e-4, betas=(0.9, 0.999)) -> dict:
    """One SRResNet step with the pixel MSE (Ledig et al. 2017: Adam, beta_1 0.9, 1e-4)."""
    optimizer = _adam([G], lr, betas)
    optimizer.zero_grad()
    loss = F.mse_loss(G(lr_image), hr_image)
    loss.backward()
    optimizer.step()
    return {"G_mse": loss}


# --------------------------------------------------------- the comparison ---

#: The plugins compared, with tiny widths (32 px crops) and dropout off.
CASES = ("pix2pix", "cyclegan", "srresnet")


def build_case(name: str, **overrides):
    """``(cgtk model, batch as numpy arrays)`` for one of :data:`CASES`; ``overrides``
    are config values (e.g. ``update_order="G_first"``, to see the test fail)."""
    rng = np.random.default_rng(0)

    def images(n, size):
        return rng.uniform(-1, 1, (n, size, size, 3)).astype(np.float32)

    if name == "pix2pix":
        from cgtk_pix2pix.model import Pix2Pix, Pix2PixConfig
        model = Pix2Pix(Pix2PixConfig(ngf=8, ndf=8, num_downs=5, image_size=32, batch_size=2,
                                      use_dropout=False, seed=1, **overrides))
        return model, (images(2, 32), images(2, 32))
    if name == "cyclegan":
        from cgtk_cyclegan.model import CycleGAN, CycleGANConfig
        model = CycleGAN(CycleGANConfig(ngf=4, ndf=4, n_blocks=2, image_size=32, batch_size=1,
                                        seed=1, **overrides))
        return model, (images(1, 32), images(1, 32))
    if name == "srresnet":
        from cgtk_srresnet.srresnet import SRResNet
        model = SRResNet(SRResNet.Config(n_blocks=2, n_feats=8, scale=2, image_size=32,
                                         batch_size=2, seed=1, **overrides))
        return model, (images(2, 16), images(2, 32))
    raise ValueError(name)


def torch_step(name: str, model, batch) -> tuple[dict, list]:
    """Copy ``model``'s initial weights to torch, run the reference step there; returns
    ``(loss terms, [TorchGraph per network])``."""
    a, b = (_nchw(x) for x in batch)
    if name == "pix2pix":
        nets = [TorchGraph(model.G), TorchGraph(model.D)]
        terms = pix2pix_step(*nets, a, b)
    elif name == "cyclegan":
        nets = [TorchGraph(n) for n in (model.G, model.F, model.D_A, model.D_B)]
        terms = cyclegan_step(*nets, a, b)
    else:
        nets = [TorchGraph(model.G)]
        terms = srresnet_step(*nets, a, b)
    return {k: float(v.detach()) for k, v in terms.items()}, nets


def cgtk_step(model, batch) -> dict:
    """One cgtk training step (every phase, in order) on the current Keras backend."""
    import keras

    from cgtk.engine import backend

    model.compile_phases(steps_per_epoch=1)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf
        stepper = backend.current().Stepper(model, tf.distribute.get_strategy(), False)
        logs = stepper.step(tuple(tf.constant(x) for x in batch))
    else:
        stepper = backend.current().Stepper(model, None, True)
        logs = stepper.step(tuple(batch))
    stepper.sync()
    return stepper.logs_to_numpy(logs)


def compare_step(name: str, **overrides) -> dict:
    """Run both steps for one of :data:`CASES`; a JSON-able report::

        {"terms": {term: [cgtk, torch]}, "weights": {path: max abs diff},
         "round_off": {path: [elements, max |cgtk update|]}, "n_weights": count,
         "dead_biases": {path: max abs diff}, "phases": [phase names in order]}

    ``weights`` leaves out the elements of ``round_off`` (reference gradient below
    :data:`GRAD_FLOOR`) and the ``dead_biases`` (:func:`biases_before_instance_norm`),
    reported apart.

    Batch-norm *moving variances* are left out: Keras updates them with the biased
    batch variance, PyTorch with the unbiased one (a listed deviation).
    """
    torch.manual_seed(0)
    torch.set_num_threads(1)  # tiny nets; the CI machine has 2 cores
    model, batch = build_case(name, **overrides)
    theirs, nets = torch_step(name, model, batch)  # reads the initial weights first
    ours = cgtk_step(model, batch)
    weights, dead, round_off = {}, {}, {}
    for net in nets:
        skip = biases_before_instance_norm(net.net)
        diffs, small = net.weight_diffs()
        round_off.update({k: v for k, v in small.items() if k not in skip})
        for path, diff in diffs.items():
            if path in skip:
                dead[path] = diff
            elif not path.endswith("moving_variance"):
                weights[path] = diff
    return {"terms": {k: [ours[k], theirs[k]] for k in theirs}, "weights": weights,
            "round_off": round_off,
            "n_weights": sum(p.numel() for net in nets for p in net.parameters()),
            "dead_biases": dead, "phases": [p.name for p in model.training_phases]}
