// The explorer engine, part 5 of 7: the table view. Up to data.table_max
// positions, the heatmap is a table whose cells write their weight as text.
// One table per number of positions, reused: an update writes only the
// cells, labels and classes that changed.

/** A table of n by n cells; labels, query buttons and cells are filled by updateTable. */
engine.buildTable = (ex, view, n) => {
  const { el } = engine;
  const table = el("table", "ae-heatmap");
  table.setAttribute("aria-label", "attention weights, query rows by key columns");
  const thead = el("thead");
  const header = el("tr");
  const corner = el("th", "ae-corner", "query \u2193 key \u2192");
  corner.scope = "col";
  header.appendChild(corner);
  view.heads = [];
  for (let j = 0; j < n; j++) {
    const th = el("th");
    th.scope = "col";
    header.appendChild(th);
    view.heads.push({ th, text: null, pad: null });
  }
  thead.appendChild(header);
  table.appendChild(thead);
  const tbody = el("tbody");
  view.rowHeads = [];
  for (let i = 0; i < n; i++) {
    const tr = el("tr");
    const th = el("th");
    th.scope = "row";
    tr.appendChild(th);
    const cells = [];
    for (let j = 0; j < n; j++) {
      const td = el("td", "ae-cell");
      td.setAttribute("data-row", String(i));
      td.setAttribute("data-col", String(j));
      tr.appendChild(td);
      cells.push({ td, step: -1, text: null, masked: null, weight: null });
    }
    tbody.appendChild(tr);
    view.rows.push(tr);
    view.rowHeads.push(th);
    view.cells.push(cells);
  }
  table.appendChild(tbody);
  table.addEventListener("mouseover", (ev) => {
    const td = ev.target.closest("td.ae-cell");
    if (!td || ex.view !== view) {
      return;
    }
    // The tooltip is written when the pointer arrives, not on every update.
    td.title = engine.showCell(
      ex,
      Number(td.getAttribute("data-row")),
      Number(td.getAttribute("data-col")),
    );
  });
  view.selected = -1;
  return table;
};

/** Write the labels and every cell's weight, colour and masked state; mark the selected row. */
engine.updateTable = (ex, view, result) => {
  const { palette, row, pool } = ex;
  const steps = palette.length;
  result.positions.forEach((p, i) => {
    const head = view.heads[i];
    const pad = !result.real[i];
    if (head.text !== result.labels[i]) {
      head.th.textContent = result.labels[i];
      head.text = result.labels[i];
    }
    if (head.pad !== pad) {
      head.th.className = pad ? "ae-pad" : "";
      head.pad = pad;
    }
    const query = pool.queries[p];
    if (query.parentNode !== view.rowHeads[i]) {
      view.rowHeads[i].textContent = "";
      view.rowHeads[i].appendChild(query);
    }
  });
  if (view.selected !== row) {
    if (view.selected >= 0) {
      view.rows[view.selected].className = "";
    }
    view.rows[row].className = "ae-selected";
    view.selected = row;
  }
  result.weights.forEach((ws, i) => {
    const cells = view.cells[i];
    const ok = result.allowed[i];
    ws.forEach((w, j) => {
      const cell = cells[j];
      const masked = !ok[j];
      if (cell.weight !== w) {
        cell.td.setAttribute("data-weight", String(w));
        cell.weight = w;
      }
      if (cell.masked !== masked) {
        cell.td.setAttribute("data-masked", masked ? "true" : "false");
        cell.td.className = masked ? "ae-cell ae-masked" : "ae-cell";
        cell.masked = masked;
      }
      const step = masked ? -1 : engine.stepOf(steps, w);
      if (cell.step !== step) {
        const colour = masked ? null : palette[step];
        cell.td.style.background = colour ? colour.bg : "";
        cell.td.style.color = colour ? colour.fg : "";
        cell.step = step;
      }
      const text = masked ? "\u00d7" : w.toFixed(2);
      if (cell.text !== text) {
        cell.td.textContent = text;
        cell.text = text;
      }
    });
  });
};
