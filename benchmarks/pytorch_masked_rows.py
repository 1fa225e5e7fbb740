"""What PyTorch gives a query with no allowed key: the outside run chapter 5 (section 5.3) reports.

PyTorch is not a dependency of the book. Run this in a separate environment:

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0
    /tmp/torchenv/bin/python benchmarks/pytorch_masked_rows.py

It prints one line per observation: NaN, zeros or another finite row.
"""

from __future__ import annotations

import platform

import torch
import torch.nn.functional as F


def describe(row: torch.Tensor) -> str:
    """NaN, zeros or finite, for a row of outputs."""
    if torch.isnan(row).any():
        return "NaN"
    return "zeros" if not row.any() else "finite, not zero"


def main() -> None:
    """Print what each PyTorch function gives a fully masked row."""
    print(f"PyTorch {torch.__version__}, Python {platform.python_version()}, {platform.machine()}")
    torch.manual_seed(0)
    # F.scaled_dot_product_attention, boolean mask (True = may attend), query 0 sees no key.
    mask = torch.ones(3, 5, dtype=torch.bool)
    mask[0] = False
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        q, k, v = (torch.randn(1, 2, n, 4, dtype=dtype) for n in (3, 5, 5))
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        print(f"scaled_dot_product_attention, {dtype}: query 0 gets {describe(out[..., 0, :])}")
    # nn.MultiheadAttention, key_padding_mask (True = ignore this key) hiding all of sequence 0.
    mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    x = torch.randn(2, 5, 8)
    hide_all = torch.zeros(2, 5, dtype=torch.bool)
    hide_all[0] = True
    for training, grad, need_weights in [
        (True, True, True),
        (False, False, True),
        (False, False, False),  # the inference fast path: eval, no gradients, self-attention
        (False, True, False),
        (True, True, False),
    ]:
        mha.train(training)
        with torch.set_grad_enabled(grad):
            out, _ = mha(x, x, x, key_padding_mask=hide_all, need_weights=need_weights)
        setting = f"training={training}, gradients={grad}, need_weights={need_weights}"
        print(f"nn.MultiheadAttention, {setting}: sequence 0 gets {describe(out[0])}")
    row = torch.softmax(torch.full((4,), float("-inf")), dim=-1)
    print(f"torch.softmax of a row of -inf: {describe(row)}")


if __name__ == "__main__":
    main()
