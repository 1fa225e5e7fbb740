"""Chapter 6's kernel-free induction explorer, until it becomes a view (attn_book.views)."""
