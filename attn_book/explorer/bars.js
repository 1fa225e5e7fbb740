// The explorer engine, part 4 of 7: the elements of each position (a query
// button for the table, a row label for the canvas, a key label, a bar), the
// query menu, the bars of the selected query and the readout.
//
// Elements are built once per position and kept (a pool that only grows):
// a new sentence, a token switched off or a padding mask relabels and
// re-attaches them; a change of head, mask or query writes numbers, colours
// and transforms only, and only where they changed. Events are delegated and
// read ex.current, the weights shown.

/** Grow the pool to n positions: one query button, row label, key label and bar row each. */
engine.growPool = (ex, n) => {
  const { el } = engine;
  if (!ex.pool) {
    ex.pool = { queries: [], rowLabels: [], cols: [], bars: [], label: [], pressed: null };
    ex.bars.textContent = "";
    ex.pool.barsTitle = el("div", "ae-bars-title");
    ex.pool.barsTitle.id = engine.idFor(ex, "bars-title");
    ex.pool.barList = el("div", "ae-bar-list");
    ex.pool.barList.setAttribute("role", "list");
    ex.pool.barList.setAttribute("aria-labelledby", ex.pool.barsTitle.id);
    ex.bars.appendChild(ex.pool.barsTitle);
    ex.bars.appendChild(ex.pool.barList);
  }
  const pool = ex.pool;
  for (let p = pool.queries.length; p < n; p++) {
    const query = engine.button("ae-query");
    query.setAttribute("aria-pressed", "false");
    pool.queries.push(query);
    // On the canvas, rows are 16px: a label to click, not a button (a touch
    // target must be 24px); the query menu is the control for keys and touch.
    pool.rowLabels.push(el("span", "ae-rowlabel"));
    pool.cols.push(el("span", "ae-col"));
    const line = el("div", "ae-bar-row");
    line.setAttribute("role", "listitem");
    const label = el("span", "ae-bar-label");
    const track = el("span", "ae-bar-track");
    const fill = el("span", "ae-bar-fill");
    const value = el("span", "ae-bar-value");
    track.appendChild(fill);
    line.appendChild(label);
    line.appendChild(track);
    line.appendChild(value);
    pool.bars.push({ line, label, fill, value, text: null, scale: null });
    pool.label.push(null);
  }
};

/** A token as the reader sees it: padding positions are marked "(pad)". */
engine.tokenText = (sent, p, isReal) => (isReal ? sent.tokens[p] : `${sent.tokens[p]} (pad)`);

/** Labels, padding style and row/column indices of the positions shown (sets result.labels). */
engine.relabel = (ex, sent, result) => {
  engine.growPool(ex, sent.tokens.length);
  const { pool } = ex;
  result.labels = result.positions.map((p, i) => {
    const label = engine.tokenText(sent, p, result.real[i]);
    const index = String(i);
    const query = pool.queries[p];
    const bar = pool.bars[p];
    if (query.getAttribute("data-row") !== index) {
      query.setAttribute("data-row", index);
      pool.rowLabels[p].setAttribute("data-row", index);
      bar.line.setAttribute("data-col", index);
    }
    if (pool.label[p] !== label) {
      pool.label[p] = label;
      const pad = !result.real[i];
      query.textContent = label;
      query.classList.toggle("ae-pad", pad);
      query.title = pad
        ? "a padding position: its weights are shown, its output is discarded"
        : `show the weights of query \u201c${label}\u201d`;
      pool.rowLabels[p].textContent = label;
      pool.rowLabels[p].classList.toggle("ae-pad", pad);
      pool.cols[p].textContent = label;
      pool.cols[p].classList.toggle("ae-pad", pad);
      bar.label.textContent = label;
      bar.label.classList.toggle("ae-pad", pad);
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

/** Mark the selected query's button (and row label) as pressed, and no other;
 * show it in the query menu. */
engine.pressQuery = (ex, result) => {
  const { pool } = ex;
  const p = result.positions[ex.row];
  if (pool.pressed !== p) {
    if (pool.pressed !== null && pool.pressed < pool.queries.length) {
      pool.queries[pool.pressed].setAttribute("aria-pressed", "false");
      pool.rowLabels[pool.pressed].classList.remove("ae-current");
    }
    pool.queries[p].setAttribute("aria-pressed", "true");
    pool.rowLabels[p].classList.add("ae-current");
    pool.pressed = p;
  }
  engine.showQueryMenu(ex, result);
};

/** The query menu: one option per row ("3: sat"), the selected row chosen. */
engine.showQueryMenu = (ex, result) => {
  const menu = ex.querySel;
  const key = result.labels.join("\u0000");
  if (ex.queryMenuKey !== key) {
    const options = menu.options;
    result.labels.forEach((label, i) => {
      const text = `${i + 1}: ${label}`;
      if (i < options.length) {
        if (options[i].textContent !== text) {
          options[i].textContent = text;
        }
      } else {
        const option = engine.el("option", null, text);
        option.value = String(i);
        menu.appendChild(option);
      }
    });
    while (options.length > result.labels.length) {
      menu.removeChild(menu.lastChild);
    }
    ex.queryMenuKey = key;
  }
  if (menu.value !== String(ex.row)) {
    menu.value = String(ex.row);
  }
};

/** The selected query's weights over the keys, as bars and numbers, and the readout. */
engine.showBars = (ex, result) => {
  const { pool, row } = ex;
  const lines = result.positions.map((p) => pool.bars[p].line);
  if (pool.shownBars !== result.positions.join(",")) {
    engine.sync(pool.barList, lines);
    pool.shownBars = result.positions.join(",");
  }
  const padding = !result.real[row];
  engine.setText(
    pool.barsTitle,
    `Weights of query \u201c${result.labels[row]}\u201d (row ${row + 1})` +
      (padding ? ": a padding position, its output is discarded" : ""),
  );
  const rowWeights = result.weights[row];
  let sum = 0;
  result.positions.forEach((p, j) => {
    const bar = pool.bars[p];
    const w = rowWeights[j];
    sum += w;
    // A transform, not a width: the bar moves without a layout.
    const scale = w.toFixed(4);
    const text = result.allowed[row][j] ? w.toFixed(3) : "masked";
    if (scale !== bar.scale) {
      bar.fill.style.transform = `scaleX(${scale})`;
      bar.scale = scale;
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
  engine.setText(
    ex.readout,
    sum === 0
      ? "Every key of this query is masked: its weights are all zero."
      : `Row sum ${sum.toFixed(6)}. ${how}`,
  );
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

/** Arrow keys on a query button: the previous or next query (Home, End: first, last). */
engine.queryKeys = (ex, ev) => {
  const button = ev.target.closest("button.ae-query");
  if (!button || !ex.current) {
    return;
  }
  const n = ex.current.positions.length;
  const moves = { ArrowUp: ex.row - 1, ArrowDown: ex.row + 1, Home: 0, End: n - 1 };
  if (!(ev.key in moves)) {
    return;
  }
  ev.preventDefault();
  const i = Math.max(0, Math.min(n - 1, moves[ev.key]));
  engine.selectRow(ex, i);
  ex.pool.queries[ex.current.positions[i]].focus();
};
