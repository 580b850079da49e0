"""PyTorch re-statement of CUT's ``PatchSampleF`` (``--netF mlp_sample``) and
``PatchNCELoss``, written by us from taesungp/contrastive-unpaired-translation
``models/networks.py`` and ``models/patchnce.py`` (test-only: needs torch).

Tensors are NCHW as in the reference; parameter names follow it (``mlp_0.0.weight``,
``mlp_0.2.bias``, ...). Positions may be given (``patch_ids``) so a test can feed cgtk and
torch the same ones; otherwise they are drawn with ``torch.randperm`` as the reference.

Example::

    from reference import patchnce
    f = patchnce.PatchSampleF(nc=256)
    feats_k, ids = f(feats_nchw, num_patches=256)
    loss = patchnce.PatchNCELoss(batch_size=1)(feats_q[0], feats_k[0]).mean()
"""
from __future__ import annotations

import torch
from torch import nn


class Normalize(nn.Module):
    """``x / (||x||_2 + 1e-7)`` over dim 1."""

    def forward(self, x):
        norm = x.pow(2).sum(1, keepdim=True).pow(0.5)
        return x.div(norm + 1e-7)


class PatchSampleF(nn.Module):
    """Per-layer ``Linear(C, nc) - ReLU - Linear(nc, nc)`` MLPs created on the first call."""

    def __init__(self, nc: int = 256):
        super().__init__()
        self.nc = nc
        self.l2norm = Normalize()
        self.mlp_init = False

    def create_mlp(self, feats):
        for i, feat in enumerate(feats):
            mlp = nn.Sequential(nn.Linear(feat.shape[1], self.nc), nn.ReLU(),
                                nn.Linear(self.nc, self.nc))
            setattr(self, f"mlp_{i}", mlp)
        self.mlp_init = True

    def forward(self, feats, num_patches: int = 64, patch_ids=None):
        if not self.mlp_init:
            self.create_mlp(feats)
        out, ids_out = [], []
        for i, feat in enumerate(feats):
            flat = feat.permute(0, 2, 3, 1).flatten(1, 2)        # [B, HW, C]
            if patch_ids is not None:
                ids = patch_ids[i]
            else:
                ids = torch.randperm(flat.shape[1])[:min(num_patches, flat.shape[1])]
            sample = flat[:, ids, :].flatten(0, 1)               # [B * n, C]
            sample = self.l2norm(getattr(self, f"mlp_{i}")(sample))
            ids_out.append(ids)
            out.append(sample)
        return out, ids_out


class PatchNCELoss(nn.Module):
    """Per-query cross-entropy over [positive, the image's n keys (self masked to -10)] / T."""

    def __init__(self, batch_size: int, nce_T: float = 0.07,
                 all_negatives_from_minibatch: bool = False):
        super().__init__()
        self.batch_size = batch_size
        self.nce_T = nce_T
        self.all_negatives = all_negatives_from_minibatch
        self.cross_entropy = nn.CrossEntropyLoss(reduction="none")

    def forward(self, feat_q, feat_k):
        num_patches, dim = feat_q.shape
        feat_k = feat_k.detach()
        l_pos = torch.bmm(feat_q.view(num_patches, 1, -1), feat_k.view(num_patches, -1, 1))
        l_pos = l_pos.view(num_patches, 1)
        groups = 1 if self.all_negatives else self.batch_size
        q = feat_q.view(groups, -1, dim)
        k = feat_k.view(groups, -1, dim)
        n = q.size(1)
        l_neg = torch.bmm(q, k.transpose(2, 1))
        diagonal = torch.eye(n, dtype=torch.bool)[None, :, :]
        l_neg = l_neg.masked_fill(diagonal, -10.0).view(-1, n)
        logits = torch.cat((l_pos, l_neg), dim=1) / self.nce_T
        return self.cross_entropy(logits, torch.zeros(logits.size(0), dtype=torch.long))


def nce_loss(f, feats_k, feats_q, *, num_patches, batch_size, lambda_nce=1.0, nce_T=0.07,
             patch_ids=None, all_negatives_from_minibatch=False):
    """The reference's ``calculate_NCE_loss`` from given features (NCHW lists)."""
    pooled_k, ids = f(feats_k, num_patches, patch_ids)
    pooled_q, _ = f(feats_q, num_patches, ids)
    crit = PatchNCELoss(batch_size, nce_T, all_negatives_from_minibatch)
    total = 0.0
    for q, k in zip(pooled_q, pooled_k):
        total = total + (crit(q, k) * lambda_nce).mean()
    return total / len(feats_k)
