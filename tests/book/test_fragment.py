import json

import pytest

from attn_book.explorer.fragment import content_id, json_for_script


def test_json_for_script_cannot_close_the_script_and_round_trips():
    data = {"tokens": ["</script>", "<!--", "]]>", "a & b", "\u2028line\u2029"], "x": [1.5]}
    text = json_for_script(data)
    for bad in ("</", "<!--", "]]>", "<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text, bad
    assert json.loads(text) == data


def test_json_for_script_rejects_nan():
    with pytest.raises(ValueError):
        json_for_script({"x": float("nan")})


def test_content_id_is_deterministic_and_separates_its_parts():
    assert content_id("attn-x", "a", "b") == content_id("attn-x", "a", "b")
    assert content_id("attn-x", "ab") != content_id("attn-x", "a", "b")
    assert content_id("attn-x", "a") != content_id("attn-x", "b")
    ident = content_id("attn-x", "a")
    assert ident.startswith("attn-x-") and len(ident) == len("attn-x-") + 12
