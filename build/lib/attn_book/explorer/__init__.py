"""The kernel-free explorers: HTML, CSS and JavaScript written into a notebook's output.

They stay interactive in the static book, offline, with no kernel and no CDN.
"""

from attn_book.explorer.attention import AttentionExplorer, attention_explorer

__all__ = ["AttentionExplorer", "attention_explorer"]
