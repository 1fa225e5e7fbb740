// The explorer engine, part 7 of 7: one explorer (build it, show its state
// after every change). common.js starts every explorer on the page.

/** What the note under an explorer says about a mask (data.mask_rules entry). */
engine.maskNote = (rule) => {
  if (rule.causal && rule.padding) {
    return (
      "Causal and padding masks combined (logical and): a query may attend to itself " +
      "and the real tokens before it. Switched-off tokens are padding; a padding " +
      "row's output is discarded."
    );
  }
  if (rule.padding) {
    return (
      "Padding mask: switched-off tokens stay in the sequence as padding (pad). No " +
      "query may attend to a padding key (striped columns); a padding query row " +
      "still attends to the real tokens, and its output is discarded."
    );
  }
  if (rule.causal) {
    return (
      "Causal mask: a query may attend to itself and the tokens before it only " +
      "(striped cells are masked)."
    );
  }
  return "No mask: every switched-on token may attend to every switched-on token.";
};

/** A new table or canvas view in the heatmap's place (for n positions). */
engine.buildView = (ex, key, mode, n) => {
  const view = { key, mode, rows: [], cells: [] };
  view.node = mode === "canvas" ? engine.buildCanvas(ex, view) : engine.buildTable(ex, view, n);
  view.node.addEventListener("click", (ev) => {
    const target = ev.target.closest("[data-row]");
    if (target && ex.view === view) {
      engine.selectRow(ex, Number(target.getAttribute("data-row")));
    }
  });
  view.node.addEventListener("keydown", (ev) => engine.queryKeys(ex, ev));
  ex.heatWrap.textContent = "";
  ex.heatWrap.appendChild(view.node);
  // The canvas holds no button: the frame itself takes the focus, so that the
  // keyboard can scroll a matrix wider than the page.
  if (mode === "canvas") {
    ex.heatWrap.tabIndex = 0;
  } else {
    ex.heatWrap.removeAttribute("tabindex");
  }
  ex.root.setAttribute("data-view", mode);
  ex.hovered = null;
  return view;
};

/** Show the state: compute the weights, then update controls, view, bars and notes. */
engine.render = (ex) => {
  const { data, state, root } = ex;
  const sent = engine.sentenceOf(data, state);
  const result = engine.compute(data, state);
  let row = result.positions.indexOf(state.queryPos);
  if (row < 0) {
    row = 0;
    state.queryPos = result.positions[0];
  }
  ex.row = row;
  ex.current = result;

  engine.showControls(ex, sent);
  engine.relabel(ex, sent, result);
  const n = result.positions.length;
  const mode = n > data.table_max ? "canvas" : "table";
  const key = mode === "canvas" ? "canvas" : `table|${n}`;
  if (!ex.view || ex.view.key !== key) {
    ex.view = engine.buildView(ex, key, mode, n);
  }
  engine.pressQuery(ex, result);
  if (ex.view.mode === "canvas") {
    engine.updateCanvas(ex, ex.view, result);
  } else {
    engine.updateTable(ex, ex.view, result);
  }
  engine.showBars(ex, result);
  engine.setText(ex.note, engine.maskNote(data.mask_rules[state.mask]));

  // For tests and benchmarks: the state and the weights shown.
  const custom = state.sentence === data.sentences.length;
  root.setAttribute(
    "data-state",
    JSON.stringify({
      sentence: state.sentence,
      active: state.active,
      heads: state.heads,
      head: state.head,
      mask: state.mask,
      query: row,
      positions: result.positions,
      custom: custom ? { text: state.custom.text, tokens: state.custom.tokens } : null,
    }),
  );
  root.setAttribute("data-weights", JSON.stringify(result.weights));
};

/** Build one explorer inside ex.app (engine.start then replaces the static table and renders). */
engine.build = (ex) => {
  Object.assign(ex, {
    state: engine.initialState(ex.data),
    palette: engine.palette(ex.data.colours),
    // Built on demand by render: head menu, per-position pool, view.
    builtHeads: null,
    pool: null,
    view: null,
    // What is shown: the weights, the selected row, the hovered canvas cell.
    current: null,
    row: 0,
    hovered: null,
  });
  ex.app.id = engine.idFor(ex, "app");
  engine.buildLayout(ex);
};
