// The explorer engine, part 3 of 7: the menus, the sentence box and the token
// buttons.

/** The menus, the sentence box, the token row and the empty panels, inside ex.app. */
engine.buildLayout = (ex) => {
  const { el, select } = engine;
  const { data, state } = ex;
  ex.sentenceSel = select(
    "ae-sentence",
    data.sentences.map((s, i) => [i, s.label]),
  );
  ex.headsSel = select(
    "ae-heads",
    data.head_options.map((h) => [h, h]),
  );
  ex.headSel = el("select", "ae-head");
  ex.maskSel = select(
    "ae-mask",
    data.masks.map((m) => [m, m]),
  );
  ex.querySel = el("select", "ae-query-select");
  const controls = el("div", "ae-controls");
  // A menu with a single choice (one head count, one mask) is left out of
  // sight: there is nothing to choose, and the chapter says which it is.
  const oneHead = data.head_options.length === 1 && data.head_options[0] === 1;
  for (const [text, control, single] of [
    ["Sentence", ex.sentenceSel, data.sentences.length === 1],
    ["Heads H", ex.headsSel, data.head_options.length === 1],
    ["Head", ex.headSel, oneHead],
    ["Mask", ex.maskSel, data.masks.length === 1],
    ["Query", ex.querySel, false],
  ]) {
    const label = el("label", "ae-control");
    label.appendChild(el("span", "ae-control-name", text));
    label.appendChild(control);
    label.hidden = single;
    controls.appendChild(label);
  }
  const parts = [controls];
  if (data.tokenizer) {
    // The reader's own sentence: tokenized and embedded in the page as in Python.
    const row = el("div", "ae-typed");
    ex.input = engine.textBox("ae-text", engine.idFor(ex, "text"));
    ex.input.setAttribute("autocapitalize", "off");
    ex.input.setAttribute("enterkeyhint", "done");
    const label = el("label", "ae-control-name", "Or type one");
    label.htmlFor = ex.input.id;
    ex.message = engine.messageLine(ex, "div");
    row.appendChild(label);
    row.appendChild(ex.input);
    parts.push(row, ex.message);
    ex.input.addEventListener("input", () => engine.typed(ex));
  }
  ex.tokenRow = el("div", "ae-tokens");
  ex.tokenRow.setAttribute("role", "group");
  ex.tokenRow.setAttribute("aria-label", "Tokens: switch one off or on");
  ex.tokenRow.appendChild(el("span", "ae-tokens-label", "Tokens (click to switch off/on):"));
  ex.tokenButtons = [];
  const main = el("div", "ae-main");
  ex.heatWrap = el("div", "ae-heatwrap");
  ex.heatWrap.setAttribute("role", "group");
  ex.heatWrap.setAttribute("aria-label", "attention weights");
  const side = el("div", "ae-side");
  ex.bars = el("div", "ae-bars");
  ex.readout = el("div", "ae-readout");
  ex.readout.setAttribute("aria-live", "polite");
  ex.note = el("div", "ae-note");
  side.appendChild(ex.bars);
  side.appendChild(ex.readout);
  main.appendChild(ex.heatWrap);
  main.appendChild(side);
  parts.push(ex.tokenRow, main, ex.note);
  ex.app.textContent = "";
  for (const part of parts) {
    ex.app.appendChild(part);
  }

  ex.sentenceSel.addEventListener("change", () => {
    state.sentence = Number(ex.sentenceSel.value);
    engine.resetTokens(data, state);
    engine.showText(ex);
    engine.render(ex);
  });
  ex.headsSel.addEventListener("change", () => {
    state.heads = Number(ex.headsSel.value);
    state.head = Math.min(state.head, state.heads - 1);
    engine.render(ex);
  });
  ex.headSel.addEventListener("change", () => {
    state.head = Number(ex.headSel.value);
    engine.render(ex);
  });
  ex.maskSel.addEventListener("change", () => {
    state.mask = ex.maskSel.value;
    engine.render(ex);
  });
  ex.querySel.addEventListener("change", () => {
    engine.selectRow(ex, Number(ex.querySel.value));
  });
  ex.tokenRow.addEventListener("click", (ev) => {
    const button = ev.target.closest("button.ae-token");
    if (!button) {
      return;
    }
    const p = Number(button.getAttribute("data-index"));
    if (state.active[p] && state.active.filter(Boolean).length === 1) {
      ex.readout.textContent = "Keep at least one token switched on.";
      return;
    }
    state.active[p] = !state.active[p];
    engine.render(ex);
  });
  engine.showText(ex);
};

/** Put the current sentence's text in the box (after the menu chose it). */
engine.showText = (ex) => {
  if (!ex.input) {
    return;
  }
  const sent = engine.sentenceOf(ex.data, ex.state);
  ex.input.value = sent.text;
  engine.setMessage(ex, "", false);
};

/**
 * The reader typed: tokenize and embed the text as attn_book.tokens does and
 * show it. Text that tokenize refuses gets its message, and the last view stays.
 */
engine.typed = (ex) => {
  const { data, state } = ex;
  const tok = engine.tokenizer(data);
  const text = ex.input.value;
  const result = engine.tokenize(tok, text);
  if (result.error) {
    engine.setMessage(ex, result.error, true);
    return;
  }
  engine.setMessage(ex, engine.droppedNote(tok, text), false);
  const previous = state.custom;
  const tokens = result.tokens;
  state.custom = {
    label: "your sentence",
    text,
    tokens,
    x: engine.embed(tok, tokens, data.d_model),
  };
  // The same words as before (only spaces or left-out characters changed):
  // keep the switched-off tokens and the query.
  const same =
    previous &&
    state.sentence === data.sentences.length &&
    previous.tokens.length === tokens.length &&
    previous.tokens.every((t, i) => t === tokens[i]);
  state.sentence = data.sentences.length;
  if (!same) {
    const query = state.queryPos;
    engine.resetTokens(data, state);
    state.queryPos = Math.min(query, tokens.length - 1);
  }
  engine.render(ex);
};

/** One button per token (a pool by position: a new sentence relabels them). */
engine.showTokens = (ex, sent) => {
  const { state, tokenButtons } = ex;
  const n = sent.tokens.length;
  while (tokenButtons.length < n) {
    const button = engine.button("ae-token");
    button.setAttribute("data-index", String(tokenButtons.length));
    button.setAttribute("aria-pressed", "true");
    button.title = "switch this token off";
    tokenButtons.push(button);
  }
  for (let p = 0; p < n; p++) {
    const button = tokenButtons[p];
    engine.setText(button, sent.tokens[p]);
    const pressed = state.active[p] ? "true" : "false";
    if (button.getAttribute("aria-pressed") !== pressed) {
      button.setAttribute("aria-pressed", pressed);
      button.title = state.active[p] ? "switch this token off" : "switch this token on";
    }
  }
  if (ex.shownTokens !== n) {
    const label = ex.tokenRow.firstChild;
    engine.sync(ex.tokenRow, [label].concat(tokenButtons.slice(0, n)));
    ex.shownTokens = n;
  }
};

/** The head menu for the current number of heads: heads are counted from 1 for the reader. */
engine.buildHeads = (ex) => {
  const heads = ex.state.heads;
  const dh = ex.data.d_model / heads;
  ex.headSel.textContent = "";
  for (let h = 0; h < heads; h++) {
    const first = h * dh;
    const last = (h + 1) * dh - 1;
    const features = first === last ? `feature ${first}` : `features ${first}-${last}`;
    const option = engine.el("option", null, `${h + 1} (${features})`);
    option.value = String(h);
    ex.headSel.appendChild(option);
  }
  ex.builtHeads = heads;
};

/** Menus and token buttons as the state says. */
engine.showControls = (ex, sent) => {
  const { data, state } = ex;
  const custom = state.sentence === data.sentences.length;
  if (custom && !ex.customOption) {
    ex.customOption = engine.el("option", null, "your sentence");
    ex.customOption.value = String(data.sentences.length);
    ex.sentenceSel.appendChild(ex.customOption);
  }
  if (ex.sentenceSel.value !== String(state.sentence)) {
    ex.sentenceSel.value = String(state.sentence);
  }
  if (ex.headsSel.value !== String(state.heads)) {
    ex.headsSel.value = String(state.heads);
  }
  if (ex.builtHeads !== state.heads) {
    engine.buildHeads(ex);
  }
  if (ex.headSel.value !== String(state.head)) {
    ex.headSel.value = String(state.head);
  }
  if (ex.maskSel.value !== state.mask) {
    ex.maskSel.value = state.mask;
  }
  engine.showTokens(ex, sent);
};
