"""Unit tests of attn_book.explorer (the browser side is in tests/browser)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess

import numpy as np
import pytest

from attn_book.choices import MASK_CHOICES, MASK_RULES, head_choices
from attn_book.colors import browser_ramp, hex_colour, ramp, ramp_index
from attn_book.explorer import assets
from attn_book.explorer.assets import ENGINE_PARTS, asset, engine_js, engine_version
from attn_book.explorer.attention import (
    TABLE_MAX,
    AttentionExplorer,
    attention_explorer,
    default_weights,
)
from attn_book.heads import chapter_projections
from attn_book.tokens import (
    D_MODEL,
    EXAMPLE_SENTENCES,
    MAX_TOKENS,
    browser_tokenizer,
    embed,
    tokenize,
)
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
    assert data["head_options"] == head_choices(D_MODEL) == [1, 2, 4, 8]
    assert data["masks"] == ["none", "causal", "padding"]
    assert data["mask_rules"] == {m: MASK_RULES[m] for m in data["masks"]}
    assert data["colours"] == browser_ramp() and data["table_max"] == TABLE_MAX
    # The sentence box starts from each sentence's text; the page tokenizes and
    # embeds what the reader types with attn_book.tokens' own rules.
    assert [s["text"] for s in data["sentences"]] == list(EXAMPLE_SENTENCES.values())
    assert data["tokenizer"] == browser_tokenizer(D_MODEL)


def test_the_sentence_box_is_optional_and_token_lists_show_as_text():
    explorer = attention_explorer({"tokens": ["a", "<b>"], "text": "It's a Cat!"}, editable=False)
    assert explorer.data["tokenizer"] is None
    assert [s["text"] for s in explorer.data["sentences"]] == ["a <b>", "It's a Cat!"]
    assert explorer.data["sentences"][1]["tokens"] == ["it's", "a", "cat"]
    wide = attention_explorer(["the cat"], weights=(np.eye(12),) * 4, head_options=[1])
    assert len(wide.data["tokenizer"]["known"]["cat"]) == 12


def test_the_page_gets_its_colours_and_mask_rules_from_python():
    """The JavaScript carries no colour ramp and no mask names of its own."""
    script = engine_js()
    colours = browser_ramp()
    assert len(colours["background"]) == len(colours["text"]) == 256
    assert colours["background"][0] == hex_colour(ramp()[0]) == "#440154"
    for value in colours["background"][::15] + ["VIRIDIS", "rgb("]:
        assert value.lower() not in script.lower(), value
    for name in MASK_CHOICES:
        assert f'"{name}"' not in script, name


@pytest.mark.parametrize("name", sorted(assets.COMPONENTS))
def test_engine_is_the_parts_in_order_inside_one_wrapper_keyed_by_a_content_hash(name):
    component = assets.COMPONENTS[name]
    assert assets.COMPONENTS["explorer"].parts == (assets.WEIGHTS_JS, *ENGINE_PARTS)
    script = engine_js(name)
    # The part every engine shares, then the component's, in order; the shared
    # parts without their comments, the component's own as they are.
    parts = (assets.COMMON_JS, *component.parts)
    starts = [script.index(assets.inline(part)) for part in parts]
    assert starts == sorted(starts)
    for part in parts:
        assert (assets.inline(part) == asset(part)) == (part not in assets.SHARED)
    # The version (the page's cache key) is a hash of the parts and the wrapper, so
    # any edit changes it; nobody bumps a number by hand.
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0" + asset(part).encode() + b"\0")
    digest.update((assets._begin(component, "") + assets._END).encode())
    assert engine_version(name) == digest.hexdigest()[:16]
    assert re.search(rf'const ENGINE_VERSION = "{engine_version(name)}";', script)
    assert re.fullmatch(r"[0-9a-f]{16}", engine_version(name))
    assert "version: 2" not in script
    # One engine per component and page, kept where the wrapper says.
    assert f"window.{component.global_name} = engine;" in script
    assert len({c.global_name for c in assets.COMPONENTS.values()}) == len(assets.COMPONENTS)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("name", sorted(assets.COMPONENTS))
def test_engine_is_valid_javascript(name, tmp_path):
    path = tmp_path / "engine.js"
    path.write_text(engine_js(name), encoding="utf-8")
    result = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


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
    w = chapter_projections()
    tokens = tokenize(EXAMPLE_SENTENCES["plural pronoun"])
    x = embed(tokens, D_MODEL)
    for heads in (1, 2, 4, 8):
        for mask, m in (("none", None), ("causal", causal_mask(len(tokens)))):
            _, expected = multi_head_attention(x, *w, heads, m)
            for head in range(heads):
                positions, shown = explorer.weights_for(1, heads=heads, head=head, mask=mask)
                assert positions == list(range(len(tokens)))
                np.testing.assert_allclose(shown, expected[head], atol=1e-12)


def test_padding_masks_keys_only_and_keeps_real_rows():
    """The book's convention: padding keys are masked; a padding query row still
    attends to the real keys (its output is discarded)."""
    explorer = attention_explorer(EXAMPLE_SENTENCES)
    n = len(explorer.data["sentences"][0]["tokens"])
    active = [True] * n
    active[2] = active[5] = False
    positions, padded = explorer.weights_for(0, active, heads=4, head=0, mask="padding")
    real, alone = explorer.weights_for(0, active, heads=4, head=0, mask="none")
    assert positions == list(range(n)) and 2 not in real and len(real) == n - 2
    np.testing.assert_array_equal(padded[:, [2, 5]], 0.0)  # nobody attends to a pad
    np.testing.assert_allclose(padded.sum(axis=1), 1.0)  # pad rows too: real keys only
    # Padding changes nothing for the real tokens.
    np.testing.assert_allclose(padded[np.ix_(real, real)], alone, atol=1e-12)
    _, both = explorer.weights_for(0, active, heads=4, head=0, mask="causal + padding")
    assert np.all(np.triu(both, 1) == 0) and np.all(both[:, [2, 5]] == 0)
    np.testing.assert_allclose(both.sum(axis=1), 1.0)
    # A first token switched off under causal + padding: its row has no allowed key.
    active = [False] + [True] * (n - 1)
    _, first_off = explorer.weights_for(0, active, heads=4, head=0, mask="causal + padding")
    np.testing.assert_array_equal(first_off[0], 0.0)


def test_explorer_trailing_padding_follows_mask_for_choice():
    """Trailing padding in the explorer gives mask_for_choice's mask and attn_core's weights."""
    from attn_book.choices import mask_for_choice

    words = tokenize(EXAMPLE_SENTENCES["pronoun"])
    padded = words + ["<pad>"] * 3
    active = [True] * len(words) + [False] * 3
    explorer = attention_explorer([padded], default_heads=1)
    _, shown = explorer.weights_for(0, active, heads=1, mask="causal + padding")
    x = embed(padded)
    w_q, w_k, w_v, w_o = chapter_projections()
    mask = mask_for_choice("causal + padding", active)
    _, expected = multi_head_attention(x, w_q, w_k, w_v, w_o, 1, mask)
    np.testing.assert_allclose(shown, expected[0], atol=1e-12)


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


def test_default_weights_are_the_chapters_model():
    for x, y in zip(default_weights(), chapter_projections(), strict=True):
        np.testing.assert_array_equal(x, y)
    assert all(m.shape == (D_MODEL, D_MODEL) for m in default_weights())


def test_static_table_uses_the_weight_ramp():
    explorer = attention_explorer(["the cat sat"], default_heads=2)
    html = explorer.to_html()
    _, weights = explorer.weights_for(0, heads=2, head=0)
    table = re.search(r'<table class="ae-static-table">.*?</table>', html, re.S).group(0)
    shown = re.findall(r'<td style="background:(#[0-9a-f]{6});color:(#[0-9a-f]{6})">', table)
    expected = [hex_colour(c) for c in ramp()[ramp_index(weights)].reshape(-1, 3)]
    assert [bg for bg, _ in shown] == expected
    assert "head 1 of 2" in html


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sentences": []}, ValueError, "sentences is empty"),
        ({"sentences": "the cat"}, TypeError, "got one str"),
        ({"sentences": 3}, TypeError, "sequence or a mapping"),
        ({"sentences": ["!!!"]}, ValueError, "sentence 0"),
        ({"sentences": [[]]}, ValueError, "empty token list"),
        ({"sentences": [["ok", 3]]}, TypeError, "non-empty str tokens"),
        ({"sentences": [["w"] * (MAX_TOKENS + 1)]}, ValueError, f"at most {MAX_TOKENS}"),
        ({"head_options": [3]}, ValueError, "divisors of d_model=8"),
        ({"head_options": [2.0]}, TypeError, "head_options entry must be an int"),
        ({"default_heads": 3}, ValueError, "default_heads=3"),
        ({"default_heads": "2"}, TypeError, "default_heads must be an int"),
        ({"masks": ["sideways"]}, ValueError, "each of masks must be one of"),
        ({"masks": ["causal+padding"]}, ValueError, "each of masks must be one of"),
        ({"masks": []}, ValueError, "masks is empty"),
        ({"default_mask": "causal", "masks": ["none"]}, ValueError, "default_mask"),
        ({"weights": (np.eye(8),) * 3}, TypeError, "w_q, w_k, w_v, w_o"),
        ({"weights": (np.eye(8), np.eye(8), np.eye(8), np.eye(4))}, ValueError, "w_o has shape"),
        ({"weights": (np.ones((8, 4)),) * 4}, ValueError, "must be square"),
        ({"weights": (np.full((8, 8), np.nan),) * 4}, ValueError, "NaN or inf"),
        ({"title": 5}, TypeError, "title must be a str"),
        ({"editable": "yes"}, TypeError, "editable must be True or False"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, message):
    kwargs = {"sentences": ["the cat sat"], **kwargs}
    with pytest.raises(error, match=message):
        attention_explorer(kwargs.pop("sentences"), **kwargs)


def test_weights_for_rejects_bad_state():
    explorer = attention_explorer(["the cat"])
    with pytest.raises(ValueError, match="at least one True"):
        explorer.weights_for(0, [False, False])
    with pytest.raises(ValueError, match="sentence must be at most 0"):
        explorer.weights_for(1)
    with pytest.raises(ValueError, match="heads must be one of"):
        explorer.weights_for(0, heads=3)
    with pytest.raises(ValueError, match="head must be at most 1"):
        explorer.weights_for(0, heads=2, head=2)
    with pytest.raises(ValueError, match="mask must be one of"):
        explorer.weights_for(0, mask="future")
    assert set(MASK_CHOICES) >= set(explorer.data["masks"])
