"""The sentence the reader types: the page tokenizes and embeds it as Python does.

attn_book.tokens.tokenize, dropped_note and embed (words outside the toy
vocabulary included) are compared with the page's own functions
(``window.__attnExplorer``, attn_book/explorer/tokens.js) on thousands of
random and hostile strings that nobody chose in advance, on every code point
(which characters make words, and their lowercase), and through the sentence
box itself: what the reader types gives the tokens, the note and the weights
Python gives, to 1e-6, and text tokenize refuses gives its message and keeps
the last view.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from attn_book.explorer import attention_explorer
from attn_book.tokens import LEXICON, MAX_TOKENS, dropped_note, embed, tokenize
from tests.browser.conftest import standalone
from tests.browser.explorer_checks import (
    TYPED,
    check_snapshot,
    check_typed,
    exercise_explorer,
    exercise_typing,
    pick_query,
    snapshot,
)

# Pieces of hostile and ordinary text. Characters new in Unicode 15 and 16
# (Python 3.11 knows Unicode 14; the browser knows more) must not be letters.
PIECES = [
    *"abcxyzABCXYZ0189'' _-.,;:!?()[]{}<>/\\\"&#%$@*+=|~^`",
    *"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000",
    "\ufeff",  # a space for JavaScript's \s, not for str.isspace
    "\u200b",  # zero width space: neither
    "\x00",
    "\x07",
    "\x7f",
    "\u0301",  # combining acute: not a letter, so it splits words
    "\u0307",
    "e\u0301",
    "\u00e9",
    "\u00c9T\u00c9",
    "\u00df",  # sharp s
    "\u1e9e",  # capital sharp s
    "\u0130stanbul",  # lowercases to i + combining dot
    "I\u0307",
    "\u03a3",
    "\u039f\u0394\u039f\u03a3",  # final sigma
    "\u03a3\u03a3",
    "A\u03a3'B",
    "\u0391\u03a3'",
    "\ufb01",  # fi ligature
    "\u01c5",  # titlecase Dz
    "\u13a0\u13f4",  # Cherokee capitals: lowercase in another block
    "\u10a0",  # Georgian capital
    "\u0531",  # Armenian capital
    "\u0663\u0664",  # Arabic-Indic digits
    "\u096a",  # Devanagari digit
    "\u216b",  # Roman numeral twelve (Nl)
    "\u00bd\u00b2\u2460",  # fractions, superscripts, circled digits (No)
    "\u4e2d\u6587",
    "\u3042\u30a2",
    "\ud55c\uae00",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u0645\u0631\u062d\u0628\u0627",
    "\u0e2a\u0e27\u0e31\u0e2a",  # Thai, with combining vowels
    "\u0928\u092e\u0938\u094d\u0924\u0947",  # Devanagari, with virama
    "\U0001f642",
    "\U0001f469\u200d\U0001f4bb",  # ZWJ emoji sequence
    "\U0001f1eb\U0001f1f7",  # flag
    "\U0001fae8",  # shaking face, Unicode 15
    "\U0001e4d0\U0001e4e5",  # Nag Mundari letters, Unicode 15
    "\U0002ebf0",  # CJK extension I, Unicode 15.1
    "\U00010d4a",  # Garay letter, Unicode 16
    "\u1c89",  # Cyrillic capital tje, Unicode 16
    "\ue000",  # private use
    "\U000e0041",  # tag letter
    "\U0010fffd",
    "\U0001d400",  # mathematical bold capital A
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</script>",
    "&amp;",
    "${x}",
    "constructor",
    "__proto__",
    "prototype",
    "toString",
    "hasOwnProperty",
    "the",
    "cat",
    "it",
    "fluffy",
    "zyzzyva",
    "quixotic",
]


def random_texts(count: int, seed: int) -> list[str]:
    """Strings glued from PIECES and random code points, 0 to 80 pieces long."""
    rng = np.random.default_rng(seed)
    words = sorted(LEXICON)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(int(rng.integers(0, 80))):
            kind = rng.random()
            if kind < 0.45:
                parts.append(PIECES[int(rng.integers(len(PIECES)))])
            elif kind < 0.7:
                parts.append(words[int(rng.integers(len(words)))])
            elif kind < 0.85:
                parts.append(" ")
            else:
                code = int(rng.integers(0x20, 0x30000))
                if not 0xD800 <= code <= 0xDFFF:
                    parts.append(chr(code))
        texts.append("".join(parts))
    return texts


# In the page: what tokens.js makes of each text (as JSON: Playwright's own
# transfer of large nested arrays is slow).
PAGE_TOKENIZE_JS = """(texts) => {
  const e = window.__attnExplorer;
  const data = JSON.parse(document.querySelector('script.ae-data').textContent);
  const tok = e.tokenizer(data);
  return JSON.stringify(texts.map(t => {
    const r = e.tokenize(tok, t);
    return [r.tokens || null, r.error || null, e.droppedNote(tok, t),
            r.tokens ? e.embed(tok, r.tokens, data.d_model) : null];
  }));
}"""


def python_result(text: str, d_model: int) -> tuple:
    try:
        tokens = tokenize(text)
    except ValueError as exc:
        return None, str(exc), dropped_note(text), None
    return tokens, None, dropped_note(text), embed(tokens, d_model)


@pytest.fixture
def explorer_page(new_page):
    """A page with one editable explorer (d_model 8) and the page log."""
    page, log = new_page()
    explorer = attention_explorer(
        {"pronoun": "the cat sat on the mat because it was tired", "short": "the dog"},
        default_heads=2,
        masks=("none", "causal", "padding", "causal + padding"),
    )
    standalone(page, explorer)
    return page, log


@pytest.mark.parametrize("d_model", [8, 12])
def test_tokenize_note_and_embed_match_python_on_random_strings(d_model, new_page):
    page, log = new_page()
    weights = None if d_model == 8 else tuple(np.eye(d_model) for _ in range(4))
    explorer = attention_explorer(["the cat"], weights=weights, head_options=[1])
    standalone(page, explorer)
    texts = random_texts(1500, seed=d_model) + PIECES + ["word " * MAX_TOKENS, "w " * 65]
    got = json.loads(page.evaluate(PAGE_TOKENIZE_JS, texts))
    words = 0
    largest = 0.0
    for text, (tokens, error, note, vectors) in zip(texts, got, strict=True):
        want_tokens, want_error, want_note, want_vectors = python_result(text, d_model)
        assert (tokens, error) == (want_tokens, want_error), repr(text)
        assert note == want_note, repr(text)
        if tokens is not None:
            shown = np.asarray(vectors, dtype=np.float64)
            largest = max(largest, float(np.abs(shown - want_vectors).max()))
            words += len(tokens)
    # The rule is exact in float64: the same bits on both sides.
    assert largest == 0.0, largest
    assert words > 10_000
    assert sum(e is not None for _, e, _, _ in got) > 20  # some texts were refused
    assert log.page_errors == [] and log.console_errors == []


def test_every_code_point_makes_words_and_lowercases_as_in_python(explorer_page):
    """Which characters are letters or digits, and their lowercase: all 1.1 million
    code points, whatever Unicode version the browser has."""
    page, log = explorer_page
    # Every code point, each alone between spaces: the tokens the page makes.
    shown = json.loads(
        page.evaluate(
            """() => {
      const e = window.__attnExplorer;
      const tok = e.tokenizer(JSON.parse(document.querySelector('script.ae-data').textContent));
      const chars = [];
      for (let c = 0; c < 0x110000; c++) {
        if (c < 0xd800 || c > 0xdfff) { chars.push(String.fromCodePoint(c)); }
      }
      const r = e.tokenize(tok, chars.join(" "), Infinity);
      const out = [];
      let i = 0;
      for (const m of chars.join(" ").matchAll(tok.words)) {
        out.push([m[0].codePointAt(0), r.tokens[i++]]);
      }
      return JSON.stringify(out);
    }"""
        )
    )
    word_char = re.compile(r"[^\W_]")
    expected = [
        [c, chr(c).lower()]
        for c in range(0x110000)
        if not 0xD800 <= c <= 0xDFFF and word_char.match(chr(c))
    ]
    assert len(shown) == len(expected)
    mismatched = [
        (hex(c), t) for (c, t), want in zip(shown, expected, strict=True) if [c, t] != want
    ]
    assert mismatched == [], mismatched[:20]
    spaces = page.evaluate(
        """() => {
      const e = window.__attnExplorer;
      const tok = e.tokenizer(JSON.parse(document.querySelector('script.ae-data').textContent));
      const out = [];
      for (let c = 0; c < 0x110000; c++) {
        if (c >= 0xd800 && c <= 0xdfff) { continue; }
        if (e.isSpace(tok, String.fromCodePoint(c))) { out.push(c); }
      }
      // Each is blank alone, and joins nothing: "a<space>b" is two words.
      return out.filter(c => e.isBlank(tok, String.fromCodePoint(c)) &&
        e.tokenize(tok, `a${String.fromCodePoint(c)}b`).tokens.length === 2);
    }"""
    )
    assert spaces == [c for c in range(0x110000) if chr(c).isspace()]
    assert log.page_errors == []


def test_typing_in_the_box_gives_pythons_tokens_note_and_weights(explorer_page):
    page, log = explorer_page
    root = page.locator(".attn-explorer")
    assert exercise_typing(root) == len(TYPED)
    # Sentences nobody chose: random words, known and unknown, with punctuation.
    rng = np.random.default_rng(15)
    vocabulary = sorted(LEXICON) + ["zyzzyva", "Quixotic", "r\u00e9sum\u00e9", "na\u00efve"]
    glue = [" ", " ", " ", ", ", "! ", " \U0001f642 ", "'s ", " -- ", "\u00a0"]
    for _ in range(25):
        n = int(rng.integers(1, 70))
        text = "".join(
            vocabulary[int(rng.integers(len(vocabulary)))] + glue[int(rng.integers(len(glue)))]
            for _ in range(n)
        )
        check_typed(root, text)
    for text in random_texts(25, seed=99):
        check_typed(root, text.replace("\n", " ").replace("\r", " "))
    assert log.page_errors == [] and log.console_errors == [] and log.dialogs == []


def test_typing_key_by_key_updates_on_every_key(explorer_page):
    """Real key presses: each one updates the view (a partial word is a word too)."""
    page, log = explorer_page
    root = page.locator(".attn-explorer")
    box = root.locator("input.ae-text")
    box.fill("")
    snap = snapshot(root)
    assert snap["messageError"] and "empty" in snap["message"]
    box.press_sequentially("The zyzzyva SAT, it's ok", delay=5)
    state = check_snapshot(snapshot(root))
    assert state["custom"]["tokens"] == ["the", "zyzzyva", "sat", "it's", "ok"]
    for _ in range(4):
        box.press("Backspace")
    state = check_snapshot(snapshot(root))
    assert state["custom"]["tokens"] == ["the", "zyzzyva", "sat", "it"]
    assert log.page_errors == []


def test_every_control_works_on_a_typed_sentence(explorer_page):
    page, log = explorer_page
    root = page.locator(".attn-explorer")
    check_typed(root, "My zyzzyva saw the quick fox, and it ran")
    assert exercise_explorer(root) > 20
    # The menu keeps the typed sentence: choose it again.
    root.locator("select.ae-sentence").select_option("2")
    state = check_snapshot(snapshot(root))
    assert state["custom"]["text"] == "My zyzzyva saw the quick fox, and it ran"
    assert root.locator("input.ae-text").input_value() == state["custom"]["text"]
    assert log.page_errors == [] and log.console_errors == []


def test_bad_text_keeps_the_view_and_good_text_clears_the_message(explorer_page):
    page, log = explorer_page
    root = page.locator(".attn-explorer")
    check_typed(root, "it was the zyzzyva")
    pick_query(root, 3)
    for bad in ["", "?!", " ".join(["w"] * (MAX_TOKENS + 1)), "\U0001f642\U0001fae8"]:
        assert check_typed(root, bad) is None
        assert json.loads(snapshot(root)["state"])["query"] == 3
    state = check_typed(root, "it was the zyzzyva!")
    # Only a left-out character changed: the same words, the same query.
    assert state["query"] == 3
    assert snapshot(root)["message"] == dropped_note("it was the zyzzyva!") != ""
    assert log.page_errors == [] and log.dialogs == []


def test_an_explorer_without_the_box(new_page):
    page, log = new_page()
    explorer = attention_explorer(["the cat sat"], editable=False)
    assert explorer.data["tokenizer"] is None
    standalone(page, explorer)
    root = page.locator(".attn-explorer")
    assert root.locator("input.ae-text").count() == 0
    check_snapshot(snapshot(root))
    assert exercise_explorer(root) > 10
    assert log.page_errors == []
