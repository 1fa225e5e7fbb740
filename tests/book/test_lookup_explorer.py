"""Tests of attn_book.explorer.lookup: the data it exports, its checks, its static fallback."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from attn_book.colors import browser_ramp
from attn_book.explorer.assets import asset, engine_js, stylesheet
from attn_book.explorer.fragment import content_id, json_for_script
from attn_book.explorer.lookup import STEP, TEMPERATURES, LookupExplorer, lookup_explorer
from attn_book.lookup import effective_inputs, hard_lookup, soft_lookup

NAMES = ["cat", "dog", "cow"]
KEYS = [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]
VALUES = [[10.0, 0.0], [0.0, 10.0], [-10.0, 5.0]]


def make(**kwargs) -> LookupExplorer:
    args = {"query": [0.8, 0.5], "examples": {"one key": [2, 0], "several keys": [1, 1]}}
    args.update(kwargs)
    return lookup_explorer(NAMES, KEYS, VALUES, **args)


def payload(explorer: LookupExplorer) -> dict:
    text = re.search(
        r'<script type="application/json" class="al-data">(.*?)</script>', explorer.to_html()
    ).group(1)
    return json.loads(text)


def test_data_exports_keys_values_and_defaults():
    explorer = make(temperature=0.5)
    data = payload(explorer)
    assert data == explorer.data
    assert data["names"] == NAMES and data["keys"] == KEYS and data["values"] == VALUES
    assert data["defaults"] == {"query": [0.8, 0.5], "temperature": 0.5}
    assert data["temperatures"] == list(TEMPERATURES) and data["step"] == STEP
    assert data["examples"] == [
        {"label": "one key", "query": [2.0, 0.0]},
        {"label": "several keys", "query": [1.0, 1.0]},
    ]
    assert data["extent"] == 2.5  # the smallest multiple of 0.5 holding 1.2 x (2, 0)
    assert data["colours"] == browser_ramp()


def test_state_for_is_attn_book_lookup():
    explorer = make()
    for query, t in [([0.8, 0.5], 1.0), ([1.0, 1.0], 0.05), ([-2.0, 0.35], 10.0)]:
        state = explorer.state_for(query, t)
        soft_answer, soft = soft_lookup(np.array(query), np.array(KEYS), np.array(VALUES), t)
        hard_answer, hard = hard_lookup(np.array(query), np.array(KEYS), np.array(VALUES))
        np.testing.assert_allclose(state["soft"], soft)
        np.testing.assert_allclose(state["soft_answer"], soft_answer)
        np.testing.assert_array_equal(state["hard"], hard)
        np.testing.assert_array_equal(state["hard_answer"], hard_answer)
        assert state["effective"] == pytest.approx(effective_inputs(soft))
        assert state["best"] == int(np.argmax(np.array(KEYS) @ query))


def test_the_examples_align_with_one_key_and_with_several():
    explorer = make()
    one = explorer.state_for([2.0, 0.0], 1.0)
    several = explorer.state_for([1.0, 1.0], 1.0)
    assert one["effective"] < 1.5 < several["effective"]
    assert sorted(several["soft"])[-2] > 0.45


def test_element_id_is_a_content_hash():
    first, second = make(), make()
    assert first.element_id == second.element_id
    assert first.element_id == content_id(
        "attn-lookup", json_for_script(first.data), engine_js("lookup"), stylesheet("lookup")
    )
    assert make(temperature=2.0).element_id != first.element_id


def test_html_carries_its_assets_and_no_outside_reference():
    page = make().to_html()
    assert asset("lookup.js") in page and asset("lookup.css") in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page and "<link" not in page and "src=" not in page
    assert make()._repr_html_() == page


def test_hostile_names_are_escaped_in_the_static_table_and_the_json():
    names = ["<img src=x onerror=alert(1)>", "</script>"]
    page = lookup_explorer(names, KEYS[:2], VALUES[:2], title="<b>t</b>").to_html()
    assert "<img src=x" not in page and '</script>"' not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;b&gt;t&lt;/b&gt;" in page
    assert page.count("</script>") == 2  # the data's and the engine's: nothing ends early


def test_static_table_shows_the_first_state():
    explorer = make()
    static = re.search(r'<div class="al-static">(.*?)</div>', explorer.to_html()).group(1)
    soft = explorer.state_for([0.8, 0.5], 1.0)["soft"]
    for w in soft:
        assert f"{w:.3f}" in static
    assert "needs JavaScript" in static


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"names": "cat"}, TypeError, "names must be a list"),
        ({"names": ["cat", 3, "cow"]}, TypeError, "each name must be a str"),
        ({"names": ["cat", "", "cow"]}, ValueError, "1 to 32 characters"),
        ({"names": ["cat", "x" * 33, "cow"]}, ValueError, "1 to 32 characters"),
        ({"names": ["cat", "cat", "cow"]}, ValueError, "distinct"),
        ({"names": ["cat"], "keys": KEYS[:1], "values": VALUES[:1]}, ValueError, "2 to 8"),
        ({"keys": [[1.0, 0.0, 0.0]] * 3}, ValueError, r"keys must have shape \(3, 2\)"),
        ({"keys": [["a", "b"]] * 3}, TypeError, "keys must be numeric"),
        ({"values": [[1.0]] * 2}, ValueError, r"values must have shape \(3, d_v\)"),
        ({"values": [[1.0] * 5] * 3}, ValueError, "d_v <= 4"),
        ({"keys": [[np.nan, 0.0]] * 3}, ValueError, "finite"),
        ({"temperature": 0.7001}, ValueError, "one of the slider's"),
        ({"temperature": "1"}, TypeError, "temperature must be a number"),
        ({"query": [0.81, 0.5]}, ValueError, "multiples of 0.05"),
        ({"query": "0.8, 0.5"}, TypeError, "two numbers"),
        ({"query": [0.8]}, ValueError, "two finite numbers"),
        ({"query": [3.0, 0.0], "extent": 2.0}, ValueError, "outside the plane"),
        ({"examples": [(1, 1)]}, TypeError, "examples must be a mapping"),
        ({"examples": {"x": [0.33, 0]}}, ValueError, "example 'x'"),
        ({"examples": {"": [0, 0]}}, TypeError, "example label"),
        ({"extent": 0}, ValueError, "extent must be a positive multiple"),
        ({"extent": True}, TypeError, "extent must be a number"),
        ({"title": 3}, TypeError, "title must be a str"),
    ],
)
def test_bad_input_gets_a_clear_error(kwargs, error, match):
    args = {"names": NAMES, "keys": KEYS, "values": VALUES}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        lookup_explorer(args.pop("names"), args.pop("keys"), args.pop("values"), **args)
