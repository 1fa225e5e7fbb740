"""attn_book: everything that exists for the attention book, beside the math in attn_core.

Where each chapter's code is (attn_core holds the attention itself):

======================  ==============================================================
chapter                 modules
======================  ==============================================================
1. History              rnn (tanh RNN, GRU), toy_tasks, seq2seq, bottleneck, training
2. Intuition            lookup, cost, rnn
3. Self-attention       tokens, saturation
4. Multi-head           heads, diagrams
5. Masking              fills, decoding
6. Attention, learned   induction, training
7. Attention at scale   scale
every chapter           plots (figures), views (interactive), exercises (``check``)
======================  ==============================================================
"""

from attn_book import plots as _plots  # noqa: F401  (figures carry their alt text)
