// The explorer engine, part 6 of 7: the canvas view. Above data.table_max
// positions the cells are squares of a canvas (no numbers fit in them). Hover
// shows a cell's weight, a click on a cell or a row label selects its row, the
// query menu selects rows from the keyboard, and the bars list the selected
// row's weights as text. The frame scrolls (with the arrow keys too, once it
// has the focus) when the matrix is wider than the page.
//
// The canvas holds one pixel per cell and CSS scales it up without smoothing
// (image-rendering: pixelated), so an update writes n * n pixels, whatever the
// size on screen. Masked cells are transparent and show the striped
// background of the canvas's frame.

/** Side of one cell on screen, in CSS pixels. */
engine.CELL = 16;

/** The grid: corner, key labels, query buttons and the canvas with its row marker. */
engine.buildCanvas = (ex, view) => {
  const { el } = engine;
  const grid = el("div", "ae-grid");
  grid.setAttribute("role", "group");
  grid.setAttribute(
    "aria-label",
    "attention weights, query rows by key columns " +
      "(hover a cell for its weight; the bars list the selected query's weights)",
  );
  grid.appendChild(el("div", "ae-corner", "query \u2193 key \u2192"));
  view.cols = el("div", "ae-cols");
  view.cols.setAttribute("aria-hidden", "true");
  grid.appendChild(view.cols);
  view.queryList = el("div", "ae-rows");
  view.queryList.setAttribute("aria-hidden", "true");
  grid.appendChild(view.queryList);
  const wrap = el("div", "ae-canvaswrap");
  const canvas = el("canvas", "ae-canvas");
  canvas.setAttribute("aria-hidden", "true");
  // One pixel per cell; data-cell tells tests how many pixels a cell has.
  canvas.setAttribute("data-cell", "1");
  view.mark = el("div", "ae-rowmark");
  wrap.appendChild(canvas);
  wrap.appendChild(view.mark);
  grid.appendChild(wrap);
  view.wrap = wrap;
  view.canvas = canvas;
  view.ctx = canvas.getContext("2d");
  view.n = 0;
  const cellAt = (ev) => engine.cellAt(canvas, view.n, ev);
  canvas.addEventListener("mousemove", (ev) => {
    const cell = cellAt(ev);
    if (!cell || ex.view !== view) {
      return;
    }
    const key = cell[0] * view.n + cell[1];
    if (key === ex.hovered) {
      return;
    }
    ex.hovered = key;
    canvas.title = engine.showCell(ex, cell[0], cell[1]);
  });
  canvas.addEventListener("mouseleave", () => {
    ex.hovered = null;
  });
  canvas.addEventListener("click", (ev) => {
    const cell = cellAt(ev);
    if (cell && ex.view === view) {
      engine.selectRow(ex, cell[0]);
    }
  });
  return grid;
};

/** Size the canvas for n positions: n by n pixels, n * CELL CSS pixels on screen. */
engine.resizeCanvas = (ex, view, n) => {
  const side = `${n * engine.CELL}px`;
  view.canvas.width = n;
  view.canvas.height = n;
  view.wrap.style.width = side;
  view.wrap.style.height = side;
  view.image = view.ctx.createImageData(n, n);
  view.n = n;
  ex.hovered = null;
};

/** Draw every weight (masked cells transparent) and move the selected-row marker. */
engine.updateCanvas = (ex, view, result) => {
  const { palette, pool } = ex;
  const n = result.positions.length;
  if (view.shown !== result.positions.join(",")) {
    engine.sync(
      view.cols,
      result.positions.map((p) => pool.cols[p]),
    );
    engine.sync(
      view.queryList,
      result.positions.map((p) => pool.rowLabels[p]),
    );
    view.shown = result.positions.join(",");
  }
  if (view.n !== n) {
    engine.resizeCanvas(ex, view, n);
  }
  if (!ex.words) {
    ex.words = engine.pixelWords(palette);
  }
  const { allowed } = result;
  engine.paintWeights(view.image, ex.words, result.weights, (i, j) => allowed[i][j], 0);
  view.ctx.putImageData(view.image, 0, 0);
  view.mark.style.transform = `translateY(${ex.row * engine.CELL}px)`;
};
