"""The kernel-free translator explorer, on the Python side (tests/browser runs its JavaScript)."""

import json
import re
import shutil
import subprocess

import numpy as np
import pytest

from attn_book.colors import browser_ramp
from attn_book.explorer.assets import asset
from attn_book.explorer.translation import (
    decode_weights,
    encode_weights,
    translator_explorer,
)
from attn_book.seq2seq import forward, init_params
from attn_book.toy_tasks import SENTENCE_MESSAGES, SOURCE_LETTERS, encode, translate


@pytest.fixture(scope="module")
def models():
    return {
        "without attention": init_params(0, attention=False),
        "with attention": init_params(1, attention=True),
    }


def test_weights_travel_exactly(models):
    for params in models.values():
        decoded = decode_weights(json.loads(json.dumps(encode_weights(params))))
        assert decoded.keys() == params.keys()
        for name, value in params.items():
            assert decoded[name].dtype == np.float64
            assert np.array_equal(decoded[name], value), name  # bit for bit


def test_run_is_the_python_forward_pass(models):
    explorer = translator_explorer(models)
    result = explorer.run("ba dc")
    assert result["text"] == "badc" and result["reference"] == translate("badc")
    for model, (label, params) in zip(result["models"], models.items(), strict=True):
        run = forward(params, encode("badc")[None])
        assert model["label"] == label
        assert np.array_equal(model["logits"], run.logits[0])
        assert model["ids"] == np.argmax(run.logits[0], axis=-1).tolist()
        assert model["right"] == sum(
            a == b for a, b in zip(model["output"], result["reference"], strict=True)
        )
        if label == "with attention":
            assert np.array_equal(model["alignment"], run.alignment[0])
        else:
            assert model["alignment"] is None
    copy = translator_explorer(models, task="copy")
    assert copy.run("abc")["reference"] == "ABC"


def test_data_carries_the_rule_the_ramp_and_every_weight(models):
    explorer = translator_explorer(models, text="abc", examples=["ab", "h g"], max_length=7)
    data = explorer.data
    assert data["letters"] == SOURCE_LETTERS and data["max_length"] == 7
    assert data["messages"] == SENTENCE_MESSAGES
    assert data["examples"] == ["ab", "hg"]
    assert data["colours"] == browser_ramp()
    assert [m["attention"] for m in data["models"]] == [False, True]
    assert set(data["models"][1]["weights"]) == set(models["with attention"])


def test_html_is_self_contained_and_deterministic(models):
    first = translator_explorer(models).to_html()
    second = translator_explorer(models).to_html()
    assert first == second
    element_id = re.search(r'id="(attn-translator-[0-9a-f]{12})"', first).group(1)
    assert first.count(element_id) >= 2  # the root and its title's id
    assert asset("translation.js") in first and asset("translation.css") in first
    assert "http://" not in first and "https://" not in first
    # The static fallback shows the default sentence, escaped.
    assert "badcafeh" in first and "The interactive translator needs JavaScript." in first


def test_hostile_title_is_escaped(models):
    html = translator_explorer(models, title="<img src=x onerror=alert(1)>").to_html()
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_bad_arguments_are_named(models):
    with pytest.raises(ValueError, match="models is empty"):
        translator_explorer({})
    with pytest.raises(TypeError, match="models must map"):
        translator_explorer([models["with attention"]])
    with pytest.raises(ValueError, match=r"lacks the weights \['out_b'\]"):
        broken = dict(models["with attention"])
        del broken["out_b"]
        translator_explorer({"broken": broken})
    with pytest.raises(ValueError, match="does not know"):
        translator_explorer({"odd": {**models["with attention"], "extra": np.zeros(2)}})
    with pytest.raises(ValueError, match="unknown symbol"):
        translator_explorer(models, text="xyz")
    with pytest.raises(ValueError, match="too long"):
        translator_explorer(models, text="abcdef", max_length=5)
    with pytest.raises(ValueError, match="at least one letter"):
        translator_explorer(models, examples=["ab", ""])
    with pytest.raises(ValueError, match="NaN"):
        params = dict(models["with attention"])
        params["att_va"] = np.full_like(params["att_va"], np.nan)
        translator_explorer({"nan": params})
    with pytest.raises(ValueError, match="unknown symbol"):
        translator_explorer(models).run("abz")


def test_script_carries_no_colours_or_messages_of_its_own():
    script = asset("translation.js")
    for colour in browser_ramp()["background"][::31]:
        assert colour not in script.lower(), colour
    for words in ("at least one letter", "too long", "unknown symbol"):
        assert words not in script, words  # the page fills the templates it receives


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_script_is_valid_javascript(tmp_path):
    path = tmp_path / "translation.js"
    path.write_text(asset("translation.js"), encoding="utf-8")
    subprocess.run(["node", "--check", str(path)], check=True)
