"""attn_core: the attention math of the attention book, in NumPy and nothing else.

The whole package is the contract every chapter relies on (the README lists
it): :func:`softmax`; :func:`scaled_dot_product_attention` and
:func:`additive_attention` (with :func:`alignment_features`, its hidden
layer); the masks :func:`causal_mask`, :func:`key_padding_mask` and
:func:`combine_masks`, and :func:`mask_after_softmax`;
:func:`multi_head_attention` with :func:`split_heads` and
:func:`merge_heads`; and :func:`sinusoidal_encoding`.
Arrays may carry any leading batch dimensions; masks are boolean with
True = may attend. Everything the book trains, draws or checks lives in
``attn_book``.
"""

from attn_core.attention import (
    additive_attention,
    alignment_features,
    scaled_dot_product_attention,
)
from attn_core.masks import causal_mask, combine_masks, key_padding_mask, mask_after_softmax
from attn_core.multihead import merge_heads, multi_head_attention, split_heads
from attn_core.positional import sinusoidal_encoding
from attn_core.softmax import softmax

__all__ = [
    "additive_attention",
    "alignment_features",
    "causal_mask",
    "combine_masks",
    "key_padding_mask",
    "mask_after_softmax",
    "merge_heads",
    "multi_head_attention",
    "scaled_dot_product_attention",
    "sinusoidal_encoding",
    "softmax",
    "split_heads",
]
__version__ = "0.2.0"
