// The explorer engine, part 6 of 6: one explorer (build it, show its state
// after every change) and the start of every explorer on the page.

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

/** A new table or canvas view in the heatmap's place. */
engine.buildView = (ex, result, key, mode) => {
  const view = { key, mode, rows: [], cells: [] };
  view.node =
    mode === "canvas" ? engine.buildCanvas(ex, view) : engine.buildTable(ex, view, result);
  view.node.addEventListener("click", (ev) => {
    const target = ev.target.closest("[data-row]");
    if (target && ex.view === view) {
      engine.selectRow(ex, Number(target.getAttribute("data-row")));
    }
  });
  ex.heatWrap.textContent = "";
  ex.heatWrap.appendChild(view.node);
  ex.root.setAttribute("data-view", mode);
  ex.hovered = null;
  return view;
};

/** Show the state: compute the weights, then update controls, view, bars and notes. */
engine.render = (ex) => {
  const { data, state, root } = ex;
  const sent = data.sentences[state.sentence];
  const result = engine.compute(data, state);
  let row = result.positions.indexOf(state.queryPos);
  if (row < 0) {
    row = 0;
    state.queryPos = result.positions[0];
  }
  ex.row = row;
  ex.current = result;

  engine.showControls(ex, sent);
  if (!ex.pool || ex.pool.sentence !== state.sentence) {
    engine.buildPool(ex, sent);
  }
  engine.relabel(ex, sent, result);
  const n = result.positions.length;
  const mode = n > data.table_max ? "canvas" : "table";
  const key =
    mode === "canvas"
      ? `${state.sentence}|canvas`
      : `${state.sentence}|table|${result.positions.join(",")}|${result.real.join(",")}`;
  if (!ex.view || ex.view.key !== key) {
    ex.view = engine.buildView(ex, result, key, mode);
  }
  engine.pressQuery(ex, result);
  if (ex.view.mode === "canvas") {
    engine.updateCanvas(ex, ex.view, result);
  } else {
    engine.updateTable(ex, ex.view, result);
  }
  engine.showBars(ex, result);
  ex.note.textContent = engine.maskNote(data.mask_rules[state.mask]);

  // For tests and benchmarks: the state and the weights shown.
  root.setAttribute(
    "data-state",
    JSON.stringify({
      sentence: state.sentence,
      active: state.active.slice(),
      heads: state.heads,
      head: state.head,
      mask: state.mask,
      query: row,
      positions: result.positions,
    }),
  );
  root.setAttribute("data-weights", JSON.stringify(result.weights));
};

/** Start one explorer: read its data, replace the static table, show the first state. */
engine.start = (root) => {
  if (root.getAttribute("data-ae-ready")) {
    return;
  }
  const source = root.querySelector("script.ae-data");
  const app = root.querySelector(".ae-app");
  if (!source || !app) {
    return;
  }
  root.setAttribute("data-ae-ready", "1");
  const data = JSON.parse(source.textContent);
  const ex = {
    root,
    app,
    data,
    state: engine.initialState(data),
    palette: engine.palette(data.colours),
    // Built on demand by render: token buttons, head menu, per-token pool, view.
    builtTokens: null,
    builtHeads: null,
    pool: null,
    view: null,
    // What is shown: the weights, the selected row, the hovered canvas cell.
    current: null,
    row: 0,
    hovered: null,
  };
  engine.buildLayout(ex);
  const fallback = root.querySelector(".ae-static");
  if (fallback) {
    fallback.parentNode.removeChild(fallback);
  }
  app.id = `${root.id || "attn-explorer"}-app`;
  engine.render(ex);
};

/** Start every explorer on the page that has not started yet. */
engine.startAll = () => {
  for (const root of document.querySelectorAll(".attn-explorer")) {
    try {
      engine.start(root);
    } catch (err) {
      root.setAttribute("data-ae-error", String(err));
      throw err;
    }
  }
};
