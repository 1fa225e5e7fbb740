"""attn_core: the attention math of the attention book, in NumPy and nothing else.

Arrays may carry leading batch dimensions; masks are boolean, True = may
attend. float16 is computed in float32 and returned as float16, float32 stays
float32, anything else is float64. Every public function checks its arguments
and names the one that is wrong; everything the book trains, draws or checks
lives in ``attn_book``.
"""

from attn_core.attention import additive_attention, alignment_features, scaled_dot_product_attention
from attn_core.masks import causal_mask, combine_masks, key_padding_mask, mask_after_softmax
from attn_core.multihead import merge_heads, multi_head_attention, split_heads
from attn_core.positional import sinusoidal_encoding
from attn_core.softmax import softmax
from attn_core.tiled import tiled_attention

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
    "tiled_attention",
]
__version__ = "0.3.0"
