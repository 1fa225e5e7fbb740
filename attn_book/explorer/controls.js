// The explorer engine, part 2 of 6: DOM helpers, the menus and the token buttons.

/** A new element with an optional class and text (set as text, never as HTML). */
engine.el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
};

/** A <select> offering [value, label] pairs. */
engine.select = (className, options) => {
  const menu = engine.el("select", className);
  for (const [value, label] of options) {
    const option = engine.el("option", null, label);
    option.value = String(value);
    menu.appendChild(option);
  }
  return menu;
};

/** The menus, the token row and the empty panels of one explorer, inside ex.app. */
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
  const controls = el("div", "ae-controls");
  for (const [text, control] of [
    ["Sentence", ex.sentenceSel],
    ["Heads h", ex.headsSel],
    ["Head", ex.headSel],
    ["Mask", ex.maskSel],
  ]) {
    const label = el("label", null, text);
    label.appendChild(control);
    controls.appendChild(label);
  }
  ex.tokenRow = el("div", "ae-tokens");
  const main = el("div", "ae-main");
  ex.heatWrap = el("div", "ae-heatwrap");
  const side = el("div", "ae-side");
  ex.bars = el("div", "ae-bars");
  ex.readout = el("div", "ae-readout");
  ex.readout.setAttribute("aria-live", "polite");
  ex.note = el("div", "ae-note");
  side.appendChild(ex.bars);
  side.appendChild(ex.readout);
  main.appendChild(ex.heatWrap);
  main.appendChild(side);
  ex.app.textContent = "";
  for (const part of [controls, ex.tokenRow, main, ex.note]) {
    ex.app.appendChild(part);
  }

  ex.sentenceSel.addEventListener("change", () => {
    state.sentence = Number(ex.sentenceSel.value);
    engine.resetTokens(data, state);
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
};

/** One button per token of the sentence (built again when the sentence changes). */
engine.buildTokens = (ex, sent) => {
  ex.tokenRow.textContent = "";
  ex.tokenRow.appendChild(engine.el("span", "ae-tokens-label", "Tokens (click to switch off/on):"));
  ex.builtTokens = { sentence: ex.state.sentence, buttons: [] };
  sent.tokens.forEach((token, p) => {
    const button = engine.el("button", "ae-token", token);
    button.type = "button";
    button.setAttribute("data-index", String(p));
    ex.tokenRow.appendChild(button);
    ex.builtTokens.buttons.push(button);
  });
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
  const { state } = ex;
  ex.sentenceSel.value = String(state.sentence);
  ex.headsSel.value = String(state.heads);
  if (ex.builtHeads !== state.heads) {
    engine.buildHeads(ex);
  }
  ex.headSel.value = String(state.head);
  ex.maskSel.value = state.mask;
  if (!ex.builtTokens || ex.builtTokens.sentence !== state.sentence) {
    engine.buildTokens(ex, sent);
  }
  ex.builtTokens.buttons.forEach((button, p) => {
    const pressed = state.active[p] ? "true" : "false";
    if (button.getAttribute("aria-pressed") !== pressed) {
      button.setAttribute("aria-pressed", pressed);
      button.title = state.active[p] ? "switch this token off" : "switch this token on";
    }
  });
};
