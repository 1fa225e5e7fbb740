"""Tiled attention with an online softmax: FlashAttention's idea (Dao et al., 2022) in NumPy."""

from typing import Any

import numpy as np

from attn_core import _checks as check


def tiled_attention(
    q: Any,
    k: Any,
    v: Any,
    *,
    causal: bool = False,
    scale: float | None = None,
    block_size: int = 128,
) -> np.ndarray:
    """The context of :func:`scaled_dot_product_attention` by blocks, with an online softmax.

    Each query keeps a running maximum of its scores and running sums of its
    weights and weighted values, rescaled when the maximum grows: no (n_q, n_k)
    matrix is made, so extra memory is O(n d + block_size**2).

    Parameters
    ----------
    q, k, v : array_like, shapes (..., n_q, d_k), (..., n_k, d_k), (..., n_k, d_v)
    causal : bool, default False
        Query i sees keys 0..i only (the mask ``np.tri(n_q, n_k)``, aligned at the
        top left as PyTorch's ``is_causal``); a block of keys skips the queries
        before it, which see none of its keys: about half the work.
    scale : float, optional
        Multiplies the scores; defaults to ``1 / sqrt(d_k)``.
    block_size : int, default 128
        Keys per block; queries go 4 blocks at a time, one head at a time.

    Returns
    -------
    ndarray, shape (..., n_q, d_v)
        The context (zeros if n_k = 0); the weights are never made.

    Raises
    ------
    TypeError, ValueError
        For bad input, naming the argument and what it got.

    Examples
    --------
    >>> from attn_core import causal_mask, scaled_dot_product_attention
    >>> x = np.random.default_rng(0).normal(size=(5, 4))
    >>> naive, _ = scaled_dot_product_attention(x, x, x, causal_mask(5))
    >>> np.allclose(tiled_attention(x, x, x, causal=True, block_size=2), naive)
    True
    """
    q, k, v, _, scale, out = check.dot_product_inputs(q, k, v, None, scale)
    if not isinstance(causal, (bool, np.bool_)):
        raise TypeError(f"causal must be True or False, got {causal!r}")
    size = check.integer(block_size, "block_size", minimum=1)
    (n_q, d), (n_k, d_v), dtype = q.shape[-2:], v.shape[-2:], q.dtype
    batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    if n_q == 0 or n_k == 0:
        return np.zeros((*batch, n_q, d_v), out)
    k, v = np.broadcast_to(k, (*batch, n_k, d)), np.broadcast_to(v, (*batch, n_k, d_v))
    # The queries as columns, with one more row holding -m, where m is the running maximum of
    # each query's scores: the matmul with a key's last feature, 1, subtracts it.
    qm = np.zeros((*batch, d + 1, n_q), dtype)
    np.multiply(np.swapaxes(q, -1, -2), dtype.type(scale), out=qm[..., :d, :])
    acc = np.zeros((*batch, n_q, d_v + 1), dtype)  # sums of weights * values, then of weights
    k1, v1 = np.ones((size, d + 1), dtype), np.ones((size, d_v + 1), dtype)  # a last 1 each
    below = np.tril(np.full((size, size), -np.inf, dtype), -1)  # key after query, in one block
    risky = check.might_overflow(q, k, scale)
    with np.errstate(over="ignore", invalid="ignore"):  # if risky, each block is checked
        for h in np.ndindex(batch):  # one head at a time: its blocks stay in the cache
            for j in range(0, min(n_k, n_q) if causal else n_k, size):
                kb, vb = k1[: min(size, n_k - j)], v1[: min(size, n_k - j)]
                kb[:, :d], vb[:, :d_v] = k[h][j : j + size], v[h][j : j + size]
                # Queries 4 blocks at a time (a wider product is faster); causal: from query j.
                for i in range(j if causal else 0, n_q, 4 * size):
                    qb, ab = qm[h][:, i : i + 4 * size], acc[h][i : i + 4 * size]
                    s = kb @ qb  # (keys, queries): scores - m
                    if risky:
                        check.finite(s, "the scores q @ k^T * scale")
                    if causal and i == j:  # the block on the diagonal: mask keys after a query
                        s[:, :size] += below[: len(s), : s.shape[1]]
                    grown = s.max(axis=0)  # how far each query's maximum grew
                    if j == 0 or (grown > 8).any():  # set m at the first block, then only
                        if j:  # when it grows by more than 8: meanwhile each exp(s) <= e**8
                            np.maximum(grown, 0, out=grown)
                            ab *= np.exp(-grown)[:, None]
                        s -= grown  # the largest score of a query that grew is now exactly 0
                        qb[d] -= grown
                    ab += np.exp(s, out=s).T @ vb
    del qm, qb  # free the queries before making the result
    return (acc[..., :d_v] / acc[..., d_v:]).astype(out, copy=False)
