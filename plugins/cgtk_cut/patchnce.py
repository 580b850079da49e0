"""The PatchNCE loss of CUT (reference ``models/patchnce.py`` ``PatchNCELoss``), in
``keras.ops``.

For one feature layer, ``feat_q`` (from the translated image, through F) and ``feat_k``
(from the source image at the same positions) are ``[B * n, C]`` L2-normalised rows,
batch-major. Each query row ``q_i`` is classified against its key ``k_i`` (the positive)
and the keys of the other positions of the **same image** (the negatives; with
``all_negatives_from_minibatch`` the keys of every image of the batch):

* ``l_pos_i = q_i . k_i``; ``l_neg_ij = q_i . k_j`` for the ``n`` keys of the image, where
  ``j = i`` is filled with -10 (``exp(-10 / T)``: nothing), as the reference does;
* logits ``[l_pos, l_neg] / T`` (``T`` = 0.07) and cross-entropy with the positive as
  the class: ``logsumexp(logits) - l_pos / T``, one value per query row.

The keys get no gradient (the reference detaches them). With ``n`` = 256 a query has one
positive and 255 real negatives.

>>> import numpy as np
>>> q = np.eye(4, dtype="float32")                      # 4 orthogonal unit rows
>>> loss = patch_nce_loss(q, q, batch_size=1)           # positives match exactly
>>> bool(np.all(np.asarray(loss) < 1e-5))
True
"""
from __future__ import annotations

from keras import ops

DIAGONAL_FILL = -10.0  # the reference's masked_fill_ value for q_i . k_i among negatives


def patch_nce_loss(feat_q, feat_k, batch_size: int, temperature: float = 0.07,
                   all_negatives_from_minibatch: bool = False):
    """Per-query cross-entropy ``[B * n]`` (see the module docstring), in float32."""
    feat_q = ops.cast(feat_q, "float32")
    feat_k = ops.stop_gradient(ops.cast(feat_k, "float32"))
    dim = feat_q.shape[-1]
    l_pos = ops.sum(feat_q * feat_k, axis=-1, keepdims=True)
    groups = 1 if all_negatives_from_minibatch else int(batch_size)
    q = ops.reshape(feat_q, (groups, -1, dim))
    k = ops.reshape(feat_k, (groups, -1, dim))
    n = q.shape[1]
    l_neg = ops.matmul(q, ops.transpose(k, (0, 2, 1)))
    diagonal = ops.cast(ops.eye(n), "bool")[None]
    l_neg = ops.reshape(ops.where(diagonal, DIAGONAL_FILL, l_neg), (-1, n))
    logits = ops.concatenate([l_pos, l_neg], axis=1) / temperature
    return ops.logsumexp(logits, axis=1) - logits[:, 0]
