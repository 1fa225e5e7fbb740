"""attn_core: the small NumPy attention library every chapter of the book imports.

The public contract (see DESIGN.md): :func:`softmax`,
:func:`scaled_dot_product_attention`, :func:`additive_attention`,
:func:`causal_mask` and :func:`multi_head_attention`. Arrays may carry any
leading batch dimensions; float32 in gives float32 out; masks are boolean
with True = may attend.
"""

from attn_core.attention import additive_attention, causal_mask, scaled_dot_product_attention
from attn_core.multihead import merge_heads, multi_head_attention, split_heads
from attn_core.softmax import softmax

__all__ = [
    "additive_attention",
    "causal_mask",
    "merge_heads",
    "multi_head_attention",
    "scaled_dot_product_attention",
    "softmax",
    "split_heads",
]
__version__ = "0.1.0"
