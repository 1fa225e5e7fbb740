// The explorer engine, part 4 of 6: the table view. Up to data.table_max
// positions, the heatmap is a table whose cells write their weight as text.

/** A table for the positions of `result`; its cells are filled by updateTable. */
engine.buildTable = (ex, view, result) => {
  const { el } = engine;
  const table = el("table", "ae-heatmap");
  table.setAttribute("aria-label", "attention weights, query rows by key columns");
  const thead = el("thead");
  const header = el("tr");
  header.appendChild(el("th", "ae-corner", "query \u2193 key \u2192"));
  result.labels.forEach((label, j) => {
    const th = el("th", result.real[j] ? null : "ae-pad", label);
    th.scope = "col";
    header.appendChild(th);
  });
  thead.appendChild(header);
  table.appendChild(thead);
  const tbody = el("tbody");
  result.positions.forEach((p, i) => {
    const tr = el("tr");
    const th = el("th");
    th.scope = "row";
    th.appendChild(ex.pool.queries[p]);
    tr.appendChild(th);
    const cells = [];
    for (let j = 0; j < result.positions.length; j++) {
      const td = el("td", "ae-cell");
      td.setAttribute("data-row", String(i));
      td.setAttribute("data-col", String(j));
      tr.appendChild(td);
      cells.push(td);
    }
    tbody.appendChild(tr);
    view.rows.push(tr);
    view.cells.push(cells);
  });
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
  return table;
};

/** Write every cell's weight, colour and masked state; outline the selected row. */
engine.updateTable = (ex, view, result) => {
  const { palette, row } = ex;
  result.weights.forEach((ws, i) => {
    view.rows[i].className = i === row ? "ae-selected" : "";
    const cells = view.cells[i];
    ws.forEach((w, j) => {
      const masked = !result.allowed[i][j];
      const td = cells[j];
      td.setAttribute("data-weight", String(w));
      td.setAttribute("data-masked", masked ? "true" : "false");
      td.className = masked ? "ae-cell ae-masked" : "ae-cell";
      const colour = masked ? null : engine.colourOf(palette, w);
      td.style.background = colour ? colour.bg : "";
      td.style.color = colour ? colour.fg : "";
      td.textContent = masked ? "\u00d7" : w.toFixed(2);
    });
  });
};
