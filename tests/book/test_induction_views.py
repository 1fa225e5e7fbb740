"""Chapter 6's widget and the kernel-free induction explorer (its Python side).

The browser side (the page's forward pass against Python) is in
tests/browser/test_induction_explorer.py.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re

import numpy as np
import PIL.Image
import pytest

from attn_book import induction as ind
from attn_book.explorer.induction import DIGITS, induction_explorer, rounded
from attn_book.widgets import induction_widget
from attn_book.widgets.induction import removal_options


@pytest.fixture(scope="module")
def trained() -> ind.Params:
    # Long enough for the heads to form; the full chapter trains 400 steps.
    return ind.train(ind.init_params(0), steps=150).params


@pytest.fixture(scope="module")
def evaluation() -> ind.InductionBatch:
    return ind.make_batch(ind.EVAL_SEED, 120)


# --------------------------------------------------------------------------- widget


def test_widget_redraws_reports_accuracy_and_keeps_the_last_figure_on_bad_input(
    trained, evaluation
):
    view = induction_widget(trained, evaluation, row=3)
    png = base64.b64decode(view._repr_mimebundle_()["image/png"])
    assert PIL.Image.open(io.BytesIO(png)).size[0] > 600
    assert view.controls["tokens"].value == " ".join(map(str, evaluation.tokens[3]))
    # Heads are named from 1; the code gets (layer, head) from 0.
    assert view.controls["head"].options[2] == ("layer 2 head 1", (1, 0))
    assert view.controls["head"].value == (1, 0)
    intact = ind.accuracy(trained, evaluation)[0]
    assert f"{intact:.3f}" in view.status.value
    first = view.image.value
    view.controls["head"].value = (0, 1)
    assert view.image.value != first
    # Removing a head changes the accuracy the note reports: the one ind.accuracy measures.
    view.controls["remove"].value = ((0, 1),)
    without = ind.accuracy(trained, evaluation, head_mask=[[1, 0], [1, 1]])[0]
    assert f"without layer 1 head 2: {without:.3f}" in view.status.value
    assert f"intact model {intact:.3f}" in view.status.value
    shown = view.image.value
    for bad, message in [
        ("", "type 1 to 24 tokens"),
        ("1 2 99", '"99" is not a token'),
        ("<img src=x onerror=alert(1)>", '"<img" is not a token'),
        (" ".join(["3"] * 25), "25 tokens: the model reads at most 24"),
    ]:
        view.controls["tokens"].value = bad
        assert "<img" not in view.status.value  # escaped: shown as text
        assert message in html.unescape(view.status.value), (bad, view.status.value)
        assert "showing the last valid figure" in view.status.value
        assert view.image.value == shown
    view.controls["tokens"].value = "1, 2, 3"
    assert "last valid" not in view.status.value and view.image.value != shown


def test_widget_rejects_bad_starting_values(trained, evaluation):
    with pytest.raises(ValueError, match="head must be one of"):
        induction_widget(trained, evaluation, head=(2, 0))
    with pytest.raises(ValueError, match="row"):
        induction_widget(trained, evaluation, row=len(evaluation))


def test_widget_takes_the_chapters_ablation_table_and_checks_it(trained, evaluation):
    table = ind.ablation_table(trained, evaluation)
    # Measured once when built, by default: the same numbers as the chapter's table.
    view = induction_widget(trained, evaluation)
    given = induction_widget(trained, evaluation, accuracies=table)
    for removed in [((0, 0),), ((1, 0), (1, 1))]:
        view.controls["remove"].value = removed
        given.controls["remove"].value = removed
        assert f"{table[removed]:.3f}" in view.status.value
        assert given.status.value == view.status.value
        assert given.image.value == view.image.value
    partial = {k: v for k, v in table.items() if len(k) < 2}
    with pytest.raises(ValueError, match="accuracies must have an entry for every choice"):
        induction_widget(trained, evaluation, accuracies=partial)


def test_removal_menu_is_the_ablation_table():
    options = removal_options()
    table = ind.ablation_table(ind.init_params(0), ind.make_batch(0, 4))
    assert [removed for _, removed in options] == list(table)
    assert options[-1][0] == "layer 2 head 1 + layer 2 head 2"


# --------------------------------------------------------------------------- explorer


def test_parse_tokens_rules():
    assert ind.parse_tokens(" 3\t7,12\n0 ") == [3, 7, 12, 0]
    assert ind.parse_tokens("15", vocab_size=16) == [15]
    for text, message in [
        ("", "type 1 to 24 tokens"),
        (" , ", "type 1 to 24 tokens"),
        ("1 -2", '"-2" is not a token'),
        ("1.5", '"1.5" is not a token'),
        ("16", '"16" is not a token'),
        ("x" * 30, '"xxxxxxxxxxx\u2026" is not a token'),
        ("1 " * 25, "25 tokens"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            ind.parse_tokens(text)
    with pytest.raises(TypeError, match="str"):
        ind.parse_tokens([1, 2])


def test_explorer_exports_the_model_rounded_and_predicts_with_it(trained, evaluation):
    explorer = induction_explorer(trained, evaluation, [5, 0])
    data = explorer.data
    assert data["head_names"] == [
        "layer 1 head 1",
        "layer 1 head 2",
        "layer 2 head 1",
        "layer 2 head 2",
    ]
    layer = data["params"]["layers"][1]
    assert set(layer) == {"w_q", "w_k", "w_v", "w_o"}
    for name, value in trained.items():
        np.testing.assert_allclose(explorer.params[name], value, rtol=10.0 ** (1 - DIGITS), atol=0)
    np.testing.assert_array_equal(np.asarray(layer["w_o"]), explorer.params["layer2.w_o"])
    first = data["examples"][0]
    assert first["tokens"] == evaluation.tokens[5].tolist()
    assert first["query"] == evaluation.second[5] + evaluation.length[5] - 2
    weights, probs = explorer.predict(first["tokens"], removed=[1])
    reference = ind.forward(trained, evaluation.tokens[5:6], head_mask=[[1, 0], [1, 1]])
    for got, expected in zip(weights, reference.weights, strict=True):
        np.testing.assert_allclose(got, expected[0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        probs, ind.next_token_probabilities(reference.logits[0]), rtol=0, atol=1e-6
    )
    with pytest.raises(ValueError, match="removed head"):
        explorer.predict([1, 2], removed=[4])


def test_explorer_html_is_self_contained_and_safe(trained, evaluation):
    explorer = induction_explorer(trained, evaluation, [1], title="</script><b>x</b>")
    page = explorer.to_html()
    assert page.count("<script>") == 1 and "__INDUCTION_VERSION__" not in page
    payload = page.split('class="ai-data">')[1].split("</script>")[0]
    assert "<" not in payload and json.loads(payload)["title"] == "</script><b>x</b>"
    assert 'aria-label="&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"' in page
    assert "http" not in page.replace("http://www.w3.org", "")
    # Same content, same id; other content, another id.
    assert induction_explorer(trained, evaluation, [1], title="</script><b>x</b>").element_id == (
        explorer.element_id
    )
    assert induction_explorer(trained, evaluation, [2]).element_id != explorer.element_id
    # Without JavaScript: the first example's predictions as a table.
    assert 'class="ai-static-table"' in page and "needs JavaScript" in page


def test_explorer_rejects_bad_arguments(trained, evaluation):
    with pytest.raises(ValueError, match="rows is empty"):
        induction_explorer(trained, evaluation, [])
    with pytest.raises(ValueError, match="rows"):
        induction_explorer(trained, evaluation, [len(evaluation)])
    with pytest.raises(TypeError, match="title"):
        induction_explorer(trained, evaluation, [0], title=3)


def test_rounded_keeps_nine_significant_digits():
    values = np.random.default_rng(0).normal(size=100) * 10.0 ** np.arange(-5, 5).repeat(10)
    np.testing.assert_allclose(rounded(values), values, rtol=5e-9, atol=0)
