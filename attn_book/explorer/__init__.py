"""The kernel-free explorers: HTML, CSS and JavaScript written into a notebook's output.

They stay interactive in the static book, offline, with no kernel and no CDN.

Every component (the attention explorer, the "predict, then check" question,
the translator, the induction explorer) is made the same
way: a subclass of :class:`attn_book.explorer.fragment.Fragment` writes its
HTML, and :data:`attn_book.explorer.assets.COMPONENTS` names its root class,
its prefix, its stylesheet (after ``base.css``) and its JavaScript parts
(after ``common.js``).
"""

from attn_book.explorer.attention import AttentionExplorer, attention_explorer

__all__ = ["AttentionExplorer", "attention_explorer"]
