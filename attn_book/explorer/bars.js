// The explorer engine, part 3 of 6: the elements of each token that both views
// share (a query button, a key label, a bar), the bars of the selected query
// and the readout.
//
// Elements are built once per sentence (token buttons; one query button, key
// label and bar per token), per head count (head menu) and per view (the
// canvas; the table for each set of positions), then updated in place:
// switching a token off detaches its three elements, and a change of head,
// mask or query writes attributes and pixels only. Events are delegated and
// read ex.current, the weights shown.

/** One query button, key label and bar row per token of the sentence. */
engine.buildPool = (ex, sent) => {
  const { el } = engine;
  const pool = {
    sentence: ex.state.sentence,
    queries: [],
    cols: [],
    bars: [],
    label: [],
    pressed: null,
  };
  for (let p = 0; p < sent.tokens.length; p++) {
    const query = el("button", "ae-query");
    query.type = "button";
    query.setAttribute("aria-pressed", "false");
    pool.queries.push(query);
    pool.cols.push(el("span", "ae-col"));
    const line = el("div", "ae-bar-row");
    const label = el("span", "ae-bar-label");
    const track = el("span", "ae-bar-track");
    const fill = el("span", "ae-bar-fill");
    const value = el("span", "ae-bar-value");
    track.appendChild(fill);
    line.appendChild(label);
    line.appendChild(track);
    line.appendChild(value);
    pool.bars.push({ line, label, fill, value, text: null, width: null });
    pool.label.push(null);
  }
  ex.bars.textContent = "";
  pool.barsTitle = el("div", "ae-bars-title");
  pool.barList = el("div", "ae-bar-list");
  ex.bars.appendChild(pool.barsTitle);
  ex.bars.appendChild(pool.barList);
  ex.pool = pool;
  ex.view = null;
};

/** A token as the reader sees it: padding positions are marked "(pad)". */
engine.tokenText = (sent, p, isReal) => (isReal ? sent.tokens[p] : `${sent.tokens[p]} (pad)`);

/** Labels, padding style and row/column indices of the positions shown (sets result.labels). */
engine.relabel = (ex, sent, result) => {
  const { pool } = ex;
  result.labels = result.positions.map((p, i) => {
    const label = engine.tokenText(sent, p, result.real[i]);
    const index = String(i);
    const query = pool.queries[p];
    const bar = pool.bars[p];
    if (query.getAttribute("data-row") !== index) {
      query.setAttribute("data-row", index);
      bar.line.setAttribute("data-col", index);
    }
    if (pool.label[p] !== label) {
      pool.label[p] = label;
      const pad = result.real[i] ? "" : " ae-pad";
      query.textContent = label;
      query.className = `ae-query${pad}`;
      query.title = result.real[i]
        ? "show the weights of this query"
        : "a padding position: its weights are shown, its output is discarded";
      pool.cols[p].textContent = label;
      pool.cols[p].className = `ae-col${pad}`;
      bar.label.textContent = label;
      bar.label.className = `ae-bar-label${pad}`;
    }
    return label;
  });
};

/** Make parent's children exactly `nodes`, with few DOM moves (a token switched
 * off or on removes or inserts one child). */
engine.sync = (parent, nodes) => {
  const keep = new Set(nodes);
  let child = parent.firstChild;
  while (child) {
    const next = child.nextSibling;
    if (!keep.has(child)) {
      parent.removeChild(child);
    }
    child = next;
  }
  child = parent.firstChild;
  for (const node of nodes) {
    if (node === child) {
      child = child.nextSibling;
    } else {
      parent.insertBefore(node, child);
    }
  }
};

/** Mark the selected query's button as pressed (and no other). */
engine.pressQuery = (ex, result) => {
  const { pool } = ex;
  const pressed = pool.queries[result.positions[ex.row]];
  if (pool.pressed !== pressed) {
    if (pool.pressed) {
      pool.pressed.setAttribute("aria-pressed", "false");
    }
    pressed.setAttribute("aria-pressed", "true");
    pool.pressed = pressed;
  }
};

/** The selected query's weights over the keys, as bars and numbers, and the readout. */
engine.showBars = (ex, result) => {
  const { pool, row } = ex;
  engine.sync(
    pool.barList,
    result.positions.map((p) => pool.bars[p].line),
  );
  const padding = !result.real[row];
  pool.barsTitle.textContent =
    `Weights of query \u201c${result.labels[row]}\u201d (row ${row + 1})` +
    (padding ? ": a padding position, its output is discarded" : "");
  const rowWeights = result.weights[row];
  let sum = 0;
  result.positions.forEach((p, j) => {
    const bar = pool.bars[p];
    const w = rowWeights[j];
    sum += w;
    const width = `${(100 * w).toFixed(2)}%`;
    const text = result.allowed[row][j] ? w.toFixed(3) : "masked";
    if (width !== bar.width) {
      bar.fill.style.width = width;
      bar.width = width;
    }
    if (text !== bar.text) {
      bar.value.textContent = text;
      bar.text = text;
    }
  });
  const how =
    ex.view.mode === "canvas"
      ? "Hover a cell for its weight; click a cell or a query to select its row."
      : "Hover a cell for its weight; click a row to select it.";
  ex.readout.textContent =
    sum === 0
      ? "Every key of this query is masked: its weights are all zero."
      : `Row sum ${sum.toFixed(6)}. ${how}`;
};

/** Read out one cell's weight; returns the text (also used as a tooltip). */
engine.showCell = (ex, i, j) => {
  const { current } = ex;
  const masked = !current.allowed[i][j];
  const text =
    `query \u201c${current.labels[i]}\u201d \u2192 key \u201c${current.labels[j]}\u201d: ` +
    `weight ${current.weights[i][j].toFixed(6)}${masked ? " (masked)" : ""}`;
  ex.readout.textContent = text;
  return text;
};

/** Select row i of the view (a query) and show it. */
engine.selectRow = (ex, i) => {
  if (!ex.current || i < 0 || i >= ex.current.positions.length) {
    return;
  }
  ex.state.queryPos = ex.current.positions[i];
  engine.render(ex);
};
