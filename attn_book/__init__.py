"""attn_book: everything that exists for the attention book, beside the math in attn_core.

- toy data: :mod:`attn_book.tokens` (vocabulary, embeddings, designed
  projections), :mod:`attn_book.toy_tasks` (the reversal task);
- models and experiments: :mod:`attn_book.rnn` (the tanh RNN and the GRU),
  :mod:`attn_book.seq2seq` (the encoder-decoder, its hand-written gradients
  and training), :mod:`attn_book.training` (Adam, cross-entropy, the softmax's
  backward pass),
  :mod:`attn_book.bottleneck`, :mod:`attn_book.cost`, :mod:`attn_book.heads`,
  :mod:`attn_book.fills` (fill values for masked scores), :mod:`attn_book.decoding`
  (decoding one token at a time with a KV cache), :mod:`attn_book.lookup`
  (attention as a soft lookup, and the hard one);
- figures: :mod:`attn_book.plots`, :mod:`attn_book.heatmap_png`,
  :mod:`attn_book.diagrams`, all coloured by :mod:`attn_book.colors`;
- interactivity: the kernel widgets (:mod:`attn_book.widgets`), the
  kernel-free explorers and questions (:mod:`attn_book.explorer`), which
  offer the choices of :mod:`attn_book.choices`;
- exercises: :mod:`attn_book.exercises` (``check`` and ``summary``).
"""
