"""The attention view in Chromium: the same numbers as Python, and what a reader sees."""

from __future__ import annotations

import numpy as np
import pytest

from attn_book.heads import chapter_projections
from attn_book.tokens import (
    EXAMPLE_SENTENCES,
    FEATURE_NAMES,
    narrow_projections,
    tokenize,
    word_vector,
)
from attn_book.views.attention import MASKS, attention_outputs, attention_view

from .conftest import PHONE, audit, compute_in_page, show

# Typed, odd and long text, in every script the book claims to handle.
CORPUS = [
    "the cat sat on the mat because it was tired",
    "The CAT, the Dog; and the BIRD!  it's theirs — don’t ask...",
    "café naïve Québec façade Straße ẞIG",
    "ΟΔΟΣ σοφίας Ελληνικά",
    "Привет мир кошка",
    "مرحبا بالعالم القط",
    "שלום עולם",
    "हिन्दी भाषा नमस्ते",
    "ภาษาไทย ง่าย",
    "中文 日本語 ひらがな カタカナ 한국어",
    "e\u0301te\u0301 co\u0308operate",
    "İstanbul ılık",
    "cats 🐱 and dogs 👩‍👩‍👧 3 ٣ ½",
    "</script><b>bold</b> &amp; <img src=x onerror=alert(1)>",
    "tabs\tand\nnew lines\u00a0and\u2028separators",
    " ".join(f"w{i}" for i in range(64)),
    "x" * 300 + " y",
]

CONFIGS = {
    "chapter 3": dict(
        projections=narrow_projections(), panels=["context"], value_names=FEATURE_NAMES[:6]
    ),
    "chapter 4": dict(
        projections=chapter_projections(), head_options=[1, 2, 4, 8], grid=True, panels=["share"]
    ),
    "chapter 5": dict(
        projections=chapter_projections(), head_options=[4], masks=list(MASKS), toggles=True
    ),
}


def test_every_word_gets_the_same_bits_in_the_browser(new_page):
    page, log = new_page()
    show(page, attention_view(["the cat"], narrow_projections()))
    words = sorted({w for text in CORPUS for w in tokenize(text, 1000)}) + ["cat", "it", "zyzzyva"]
    for d_model in (8, 13):
        got = page.evaluate(
            """async ([src, words, rules]) => {
              const core = await import(src);
              return words.map((w) => core.wordVector(w, rules));
            }""",
            [_core_url(), words, _rules(d_model)],
        )
        for word, vector in zip(words, got, strict=True):
            assert vector == word_vector(word, d_model).tolist(), word
    assert log.clean(), log


def _core_url() -> str:
    from attn_book.views import _asset, _data_url

    return _data_url(_asset("core.js"))


def _rules(d_model: int) -> dict:
    from attn_book.tokens import text_rules

    return text_rules(d_model)


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_the_browser_computes_what_python_computes(new_page, config):
    page, log = new_page()
    live = attention_view(["the cat"], **CONFIGS[config])
    view = live.view
    show(page, live)
    rng = np.random.default_rng(0)
    for text in CORPUS:
        heads = int(rng.choice(view.head_options))
        mask = str(rng.choice(view.masks))
        n = len(tokenize(text, 1000))
        active = [bool(a) for a in rng.random(n) < 0.8] if view.toggles else None
        state = {
            **view.page_state(),
            "text": text,
            "heads": heads,
            "head": heads - 1,
            "mask": mask,
            "scaled": bool(rng.random() < 0.7),
            "active": active,
            "tokens": tokenize(text, 1000) if n <= 64 else [],
            "good_text": "the cat",
        }
        js = compute_in_page(page, "attention", state, view.page_data())
        if n > 64:
            assert js["error"] and js["tokens"] == ["the", "cat"], text
            continue
        py = attention_outputs(
            text,
            view._projections,
            heads=heads,
            head=heads - 1,
            mask=mask,
            scaled=state["scaled"],
            active=active,
            panels=view.panels,
            value_names=view._value_names,
        )
        assert js["tokens"] == py["tokens"] and js["positions"] == py["positions"], text
        assert js["padding"] == py["padding"]
        np.testing.assert_allclose(
            np.reshape(js["weights"]["data"], js["weights"]["shape"]), py["weights"], atol=1e-6
        )
        for panel_js, (title, cols, values) in zip(
            js["panel_values"], py["panel_values"], strict=True
        ):
            assert panel_js["title"] == title and panel_js["cols"] == cols
            np.testing.assert_allclose(
                np.reshape(panel_js["values"]["data"], values.shape), values, atol=1e-6
            )
    assert log.clean(), log


def _heatmap_pixels(page) -> str:
    return page.evaluate("() => document.querySelector('.attn-main canvas').toDataURL()")


@pytest.mark.parametrize("keyboard", [True, False])
def test_bad_text_keeps_the_last_view_and_the_other_controls_work(new_page, keyboard):
    page, log = new_page()
    show(page, attention_view(EXAMPLE_SENTENCES, **CONFIGS["chapter 4"]))
    box = page.get_by_label("Text", exact=True)
    good = _heatmap_pixels(page)
    for text in ["", "?!... 🐱", " ".join(["word"] * 65)]:
        box.fill(text)
        box.press("Enter") if keyboard else box.blur()
        status = page.locator(".attn-status")
        assert status.inner_text().strip(), text
        assert _heatmap_pixels(page) == good  # the last good view stays
    page.get_by_label("Heads", exact=True).select_option("4")  # other controls still redraw
    assert _heatmap_pixels(page) != good
    assert page.locator(".attn-status").inner_text().strip()
    box.fill("<b>hi</b> " + "x" * 10_000)
    box.press("Enter")
    assert page.locator("main b").count() == 0  # text is never parsed as HTML
    assert not page.evaluate(
        "() => document.querySelector('.attn-status').classList.contains('attn-error')"
    )
    assert log.clean(), log


def test_choosing_a_query_by_keyboard_and_by_click(new_page):
    page, log = new_page()
    show(page, attention_view(EXAMPLE_SENTENCES, **CONFIGS["chapter 3"]))
    menu = page.get_by_label("Query", exact=True)
    menu.focus()
    page.keyboard.press("End")
    bars = page.locator(".attn-bars li")
    assert "tired" in page.locator(".attn-side .attn-note").inner_text()
    assert bars.count() == 10
    box = page.locator(".attn-main canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.3)
    assert menu.input_value() not in ("", "9")
    assert log.clean(), log


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_accessible_and_contained_at_phone_width(new_page, config, theme):
    page, log = new_page(viewport=PHONE, color_scheme=theme)
    show(page, attention_view(EXAMPLE_SENTENCES, **CONFIGS[config]), theme=theme)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert audit(page, ".attn-view") == []
    assert log.clean(), log


def test_the_view_opens_on_the_chosen_heads_mask_and_query(new_page):
    page, log = new_page()
    chapter_4 = attention_view(EXAMPLE_SENTENCES, **CONFIGS["chapter 4"], heads=4, query=7)
    chapter_5 = attention_view(EXAMPLE_SENTENCES, **CONFIGS["chapter 5"], mask="causal", query=7)
    assert chapter_4.view.heads == 4 and chapter_4.view.query == 7
    assert {c.description: c.value for c in chapter_4.children[1].children}["Heads"] == 4
    assert {c.description: c.value for c in chapter_5.children[1].children}["Mask"] == "causal"
    show(page, chapter_4, chapter_5)
    first, second = page.locator(".attn-view").all()
    assert first.get_by_label("Heads", exact=True).input_value() == "4"
    assert first.locator(".attn-mini:not([hidden])").count() == 4
    for view in (first, second):
        assert view.get_by_label("Query", exact=True).input_value() == "7"
        assert '"it"' in view.locator(".attn-side .attn-note").inner_text()
        weights = view.locator(".attn-bars li > span:last-child").all_inner_texts()
        assert max(float(w) for w in weights if w != "masked") > 0.9  # not a flat row
    assert second.get_by_label("Mask", exact=True).input_value() == "causal"
    assert second.locator(".attn-bars li > span:last-child").all_inner_texts()[8:] == ["masked"] * 2
    assert log.clean(), log


@pytest.mark.parametrize("attribute", ["html data-theme", "body data-jp-theme-light"])
def test_a_theme_switch_redraws_the_heatmap_labels_in_the_new_ink(new_page, attribute):
    # The book's theme button sets data-theme on <html>; JupyterLab's on <body>.
    page, log = new_page()
    show(page, attention_view(EXAMPLE_SENTENCES, **CONFIGS["chapter 3"]))
    brightest_label = """() => {
        const canvas = document.querySelector('.attn-main canvas');
        const ratio = window.devicePixelRatio || 1;
        const width = Math.floor(30 * ratio);  // the row labels, left of the cells
        const { data } = canvas.getContext('2d').getImageData(0, 0, width, canvas.height);
        let top = 0;
        for (let i = 0; i < data.length; i += 4)
            if (data[i + 3] > 200) top = Math.max(top, (data[i] + data[i + 1] + data[i + 2]) / 3);
        return top;
    }"""
    assert page.evaluate(brightest_label) < 100  # dark ink on the light theme
    element, name = attribute.split()
    value = "dark" if name == "data-theme" else "false"
    page.evaluate(f"() => document.querySelector('{element}').setAttribute('{name}', '{value}')")
    page.wait_for_function(f"() => ({brightest_label})() > 200")  # light ink on the dark one
    assert log.clean(), log
