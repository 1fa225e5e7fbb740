"""Unit tests of attn_book.explorer (the browser side is in tests/browser)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from attn_book.explorer.attention import (
    MASK_MODES,
    AttentionExplorer,
    attention_explorer,
    default_weights,
    explorer_mask,
)
from attn_book.tokens import D_MODEL, EXAMPLE_SENTENCES, embed, tokenize
from attn_core import causal_mask, multi_head_attention

HOSTILE = ["<img src=x onerror=alert(1)>", "</script>", "a&b", "it"]


def _data_json(html: str) -> dict:
    match = re.search(r'<script type="application/json" class="ae-data">(.*?)</script>', html, re.S)
    assert match, "no data script"
    return json.loads(match.group(1))


def test_fragment_is_self_contained_and_deterministic():
    first = attention_explorer(EXAMPLE_SENTENCES, default_heads=4)
    second = attention_explorer(EXAMPLE_SENTENCES, default_heads=4)
    other = attention_explorer(EXAMPLE_SENTENCES, default_heads=2)
    html = first._repr_html_()
    assert html == second._repr_html_()
    assert first.element_id == second.element_id != other.element_id
    assert re.fullmatch(r"attn-explorer-[0-9a-f]{12}", first.element_id)
    assert html.startswith('<div class="attn-explorer')
    assert f'id="{first.element_id}"' in html
    assert "<style>" in html and "<script>" in html
    # No CDN, no server: nothing is loaded from anywhere.
    assert not re.search(r"\b(src|href)=", html)
    assert "http://" not in html and "https://" not in html
    assert "innerHTML" not in html and "insertAdjacentHTML" not in html


def test_embedded_data_round_trips():
    explorer = attention_explorer(EXAMPLE_SENTENCES)
    data = _data_json(explorer.to_html())
    assert data == json.loads(json.dumps(explorer.data))
    labels = [s["label"] for s in data["sentences"]]
    assert labels == list(EXAMPLE_SENTENCES)
    first = data["sentences"][0]
    assert first["tokens"] == tokenize(EXAMPLE_SENTENCES["pronoun"])
    np.testing.assert_array_equal(first["x"], embed(first["tokens"], D_MODEL))
    assert data["head_options"] == [1, 2, 4, 8]
    assert data["masks"] == ["none", "causal", "padding"]


def test_hostile_tokens_cannot_escape_the_json_script():
    explorer = attention_explorer([HOSTILE], title="<b>t</b>")
    html = explorer.to_html()
    data_part = re.search(r'class="ae-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in data_part and ">" not in data_part and "&" not in data_part
    assert _data_json(html)["sentences"][0]["tokens"] == HOSTILE
    assert "<img" not in html and "<b>t</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the static fallback table
    assert html.count("</script>") == 2  # the data script and the engine, nothing else


def test_weights_for_matches_multi_head_attention():
    explorer = attention_explorer(EXAMPLE_SENTENCES, default_heads=2)
    w = default_weights()
    tokens = tokenize(EXAMPLE_SENTENCES["plural pronoun"])
    x = embed(tokens, D_MODEL)
    for heads in (1, 2, 4, 8):
        for mask, m in (("none", None), ("causal", causal_mask(len(tokens)))):
            _, expected = multi_head_attention(x, *w, heads, m)
            for head in range(heads):
                positions, shown = explorer.weights_for(1, heads=heads, head=head, mask=mask)
                assert positions == list(range(len(tokens)))
                np.testing.assert_allclose(shown, expected[head], atol=1e-12)


def test_padding_keeps_real_rows_and_zeroes_padding_rows():
    explorer = attention_explorer(EXAMPLE_SENTENCES)
    n = len(explorer.data["sentences"][0]["tokens"])
    active = [True] * n
    active[2] = active[5] = False
    positions, padded = explorer.weights_for(0, active, heads=4, head=0, mask="padding")
    real, alone = explorer.weights_for(0, active, heads=4, head=0, mask="none")
    assert positions == list(range(n)) and 2 not in real and len(real) == n - 2
    np.testing.assert_array_equal(padded[[2, 5]], 0.0)
    np.testing.assert_array_equal(padded[:, [2, 5]], 0.0)
    # Padding changes nothing for the real tokens.
    np.testing.assert_allclose(padded[np.ix_(real, real)], alone, atol=1e-12)
    both_pos, both = explorer.weights_for(0, active, heads=4, head=0, mask="causal+padding")
    assert np.all(np.triu(both, 1) == 0) and np.all(both[[2, 5]] == 0)
    rows = both.sum(axis=1)
    np.testing.assert_allclose(np.delete(rows, [2, 5]), 1.0)


def test_explorer_mask_combines_with_logical_and():
    active = [True, False, True]
    assert explorer_mask(3, active, "none") is None
    np.testing.assert_array_equal(explorer_mask(3, active, "causal"), causal_mask(3))
    pad = explorer_mask(3, active, "padding")
    np.testing.assert_array_equal(pad, np.array([[1, 0, 1], [0, 0, 0], [1, 0, 1]], bool))
    np.testing.assert_array_equal(explorer_mask(3, active, "causal+padding"), pad & causal_mask(3))
    with pytest.raises(ValueError, match="mask must be one of"):
        explorer_mask(3, active, "future")


def test_token_lists_and_custom_weights():
    rng = np.random.default_rng(3)
    w = tuple(rng.normal(size=(12, 12)) for _ in range(4))
    explorer = attention_explorer(
        [["x", "y", "z"]], weights=w, head_options=[1, 3], default_heads=3, default_mask="causal"
    )
    assert explorer.data["d_model"] == 12
    assert explorer.data["sentences"][0]["label"] == "x y z"
    x = embed(["x", "y", "z"], 12)
    _, expected = multi_head_attention(x, *w, 3, causal_mask(3))
    np.testing.assert_allclose(
        explorer.weights_for(0, heads=3, head=2, mask="causal")[1], expected[2], atol=1e-12
    )
    assert isinstance(explorer, AttentionExplorer)
    assert "AttentionExplorer" in repr(explorer)


def test_default_weights_are_seeded():
    a, b = default_weights(), default_weights()
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert all(m.shape == (D_MODEL, D_MODEL) for m in a)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sentences": []}, ValueError, "sentences is empty"),
        ({"sentences": "the cat"}, TypeError, "got one str"),
        ({"sentences": 3}, TypeError, "sequence or a mapping"),
        ({"sentences": ["!!!"]}, ValueError, "sentence 0"),
        ({"sentences": [[]]}, ValueError, "empty token list"),
        ({"sentences": [["ok", 3]]}, TypeError, "non-empty str tokens"),
        ({"sentences": [["w"] * 65]}, ValueError, "at most 64"),
        ({"head_options": [3]}, ValueError, "divisors of d_model=8"),
        ({"default_heads": 3}, ValueError, "default_heads=3"),
        ({"masks": ["sideways"]}, ValueError, "masks must be chosen"),
        ({"default_mask": "causal", "masks": ["none"]}, ValueError, "default_mask"),
        ({"weights": (np.eye(8),) * 3}, TypeError, "w_q, w_k, w_v, w_o"),
        ({"weights": (np.eye(8), np.eye(8), np.eye(8), np.eye(4))}, ValueError, "w_o has shape"),
        ({"weights": (np.ones((8, 4)),) * 4}, ValueError, "must be square"),
        ({"weights": (np.full((8, 8), np.nan),) * 4}, ValueError, "NaN or inf"),
        ({"title": 5}, TypeError, "title must be a str"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, message):
    kwargs = {"sentences": ["the cat sat"], **kwargs}
    with pytest.raises(error, match=message):
        attention_explorer(kwargs.pop("sentences"), **kwargs)


def test_weights_for_rejects_no_active_token():
    explorer = attention_explorer(["the cat"])
    with pytest.raises(ValueError, match="at least one True"):
        explorer.weights_for(0, [False, False])
    assert set(MASK_MODES) >= set(explorer.data["masks"])
