"""attn_book: everything that exists for the attention book, beside the math in attn_core.

Toy data (:mod:`attn_book.tokens`, :mod:`attn_book.toy_tasks`), the models
and experiments the chapters run (:mod:`attn_book.rnn`,
:mod:`attn_book.seq2seq`, :mod:`attn_book.bottleneck`, :mod:`attn_book.cost`,
:mod:`attn_book.heads`), figures (:mod:`attn_book.plots`,
:mod:`attn_book.heatmap_png`, :mod:`attn_book.diagrams`, all coloured by
:mod:`attn_book.colors`), the kernel widgets (:mod:`attn_book.widgets`) and
the kernel-free explorer (:mod:`attn_book.explorer`), which offer the
choices of :mod:`attn_book.choices`.
"""
