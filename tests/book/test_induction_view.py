"""The induction view's kernel feed: attn_book.induction's forward pass with the heads its
controls remove, read back from Python; bad tokens keep the last good view."""

import numpy as np
import pytest

from attn_book import induction as ind
from attn_book.views.induction import induction_view

PARAMS = ind.init_params(3, embed_scale=1.0)
BATCH = ind.make_batch(4, 30)
TABLE = ind.ablation_table(PARAMS, BATCH, max_removed=4)


def received(wire) -> np.ndarray:
    return np.frombuffer(wire["data"], "<f4").reshape(wire["shape"])


def shows(view, tokens, removed) -> None:
    """The view holds what attn_book.induction computes for these tokens, these heads removed."""
    out = ind.forward(PARAMS, [tokens], head_mask=ind.head_mask_without(removed))
    probabilities = ind.next_token_probabilities(out.logits[0])
    assert view.tokens == list(tokens) and view.removed == [list(h) for h in removed]
    np.testing.assert_allclose(received(view.probabilities), probabilities, atol=1e-6)
    weights = np.concatenate([w[0] for w in out.weights])
    np.testing.assert_allclose(received(view.weights), weights, atol=1e-6)
    assert view.predictions == probabilities.argmax(axis=-1).tolist()
    assert view.accuracy == TABLE[tuple(removed)]


@pytest.fixture
def live():
    return induction_view(PARAMS, BATCH, [2, 5], TABLE)


def test_the_controls_recompute_and_read_back(live):
    view = live.view
    menu, box, *checks = live.children[1].children
    shows(view, BATCH.tokens[2].tolist(), [])
    menu.value = 1  # an example: its tokens, its last predictable position
    shows(view, BATCH.tokens[5].tolist(), [])
    assert view.query == BATCH.second[5] + BATCH.length[5] - 2
    box.value = "1, 2 3\t1 2"
    shows(view, [1, 2, 3, 1, 2], [])
    assert menu.value is None and view.query == 4 and not view.error
    checks[1].value = True
    shows(view, [1, 2, 3, 1, 2], [(0, 1)])
    view.removed = [[0, 0], [1, 1]]  # from Python: the check boxes follow
    assert [c.value for c in checks] == [True, False, False, True]
    shows(view, [1, 2, 3, 1, 2], [(0, 0), (1, 1)])
    view.removed = [[0, 0], [0, 1], [1, 0], [1, 1]]
    shows(view, [1, 2, 3, 1, 2], ind.all_heads())


def test_bad_tokens_keep_the_last_good_view_and_removing_heads_still_works(live):
    view = live.view
    _menu, box, *checks = live.children[1].children
    box.value = "3 1 4 1 5"
    before = view.weights
    for bad in ["1 2 99", "", " , ", "-1", "1.5", "9" * 5000, "1 " * 25, "<b>x</b>", "٣"]:
        box.value = bad
        assert view.error and view.weights == before and view.tokens == [3, 1, 4, 1, 5], bad
    checks[2].value = True  # removing a head recomputes on the last good tokens
    shows(view, [3, 1, 4, 1, 5], [(1, 0)])
    assert view.error  # the text box still holds bad tokens
    box.value = "15 0"
    shows(view, [15, 0], [(1, 0)])
    assert not view.error
