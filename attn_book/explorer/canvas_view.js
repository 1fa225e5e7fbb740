// The explorer engine, part 5 of 6: the canvas view. Above data.table_max
// positions the cells are squares of a canvas (no numbers fit in them). Hover
// shows a cell's weight, a click selects its row, the query buttons beside the
// canvas select rows from the keyboard, and the bars list the selected row's
// weights as text.

/** Side of one cell, in CSS pixels. */
engine.CELL = 16;

/** Grey stripes, half transparent, so masked cells read on light and dark pages. */
engine.stripes = (ctx) => {
  if (!engine.stripeTile) {
    const tile = document.createElement("canvas");
    tile.width = 6;
    tile.height = 6;
    const t = tile.getContext("2d");
    t.fillStyle = "rgba(128, 128, 128, 0.25)";
    t.fillRect(0, 0, 6, 6);
    t.strokeStyle = "rgba(128, 128, 128, 0.6)";
    t.lineWidth = 1.5;
    t.beginPath();
    t.moveTo(-1, 7);
    t.lineTo(7, -1);
    t.moveTo(-1, 1);
    t.lineTo(1, -1);
    t.moveTo(5, 7);
    t.lineTo(7, 5);
    t.stroke();
    engine.stripeTile = tile;
  }
  return ctx.createPattern(engine.stripeTile, "repeat");
};

/** The grid: corner, key labels, query buttons and the canvas with its row marker. */
engine.buildCanvas = (ex, view) => {
  const { el, CELL } = engine;
  const grid = el("div", "ae-grid");
  grid.setAttribute("role", "group");
  grid.setAttribute(
    "aria-label",
    "attention weights, query rows by key columns " +
      "(hover a cell for its weight; the bars list the selected query's weights)",
  );
  grid.appendChild(el("div", "ae-corner", "query \u2193 key \u2192"));
  view.cols = el("div", "ae-cols");
  grid.appendChild(view.cols);
  view.queryList = el("div", "ae-rows");
  grid.appendChild(view.queryList);
  const wrap = el("div", "ae-canvaswrap");
  const canvas = el("canvas", "ae-canvas");
  canvas.setAttribute("aria-hidden", "true");
  view.mark = el("div", "ae-rowmark");
  view.mark.style.height = `${CELL}px`;
  wrap.appendChild(canvas);
  wrap.appendChild(view.mark);
  grid.appendChild(wrap);
  view.canvas = canvas;
  view.ctx = canvas.getContext("2d");
  view.ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
  view.n = 0;
  const cellAt = (ev) => {
    const box = canvas.getBoundingClientRect();
    const j = Math.floor((ev.clientX - box.left) / CELL);
    const i = Math.floor((ev.clientY - box.top) / CELL);
    return i >= 0 && i < view.n && j >= 0 && j < view.n ? [i, j] : null;
  };
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

/** Size the canvas for n positions, and a one-pixel-per-cell image to draw into. */
engine.resizeCanvas = (ex, view, n) => {
  const { CELL } = engine;
  const canvas = view.canvas;
  canvas.width = n * CELL * view.ratio;
  canvas.height = n * CELL * view.ratio;
  canvas.style.width = `${n * CELL}px`;
  canvas.style.height = `${n * CELL}px`;
  canvas.setAttribute("data-cell", String(CELL * view.ratio));
  // One pixel per cell, scaled up without smoothing onto the canvas.
  view.pixels = engine.el("canvas");
  view.pixels.width = n;
  view.pixels.height = n;
  view.pctx = view.pixels.getContext("2d");
  view.image = view.pctx.createImageData(n, n);
  view.n = n;
  ex.hovered = null;
};

/** Draw every weight, stripe the masked cells, and move the selected-row marker. */
engine.updateCanvas = (ex, view, result) => {
  const { CELL } = engine;
  const { palette, pool } = ex;
  const n = result.positions.length;
  engine.sync(
    view.cols,
    result.positions.map((p) => pool.cols[p]),
  );
  engine.sync(
    view.queryList,
    result.positions.map((p) => pool.queries[p]),
  );
  if (view.n !== n) {
    engine.resizeCanvas(ex, view, n);
  }
  const px = view.image.data;
  const ctx = view.ctx;
  for (let i = 0; i < n; i++) {
    const ws = result.weights[i];
    const ok = result.allowed[i];
    for (let j = 0; j < n; j++) {
      const o = 4 * (i * n + j);
      if (ok[j]) {
        const rgb = engine.colourOf(palette, ws[j]).rgb;
        px[o] = rgb[0];
        px[o + 1] = rgb[1];
        px[o + 2] = rgb[2];
        px[o + 3] = 255;
      } else {
        px[o + 3] = 0; // masked: transparent, striped below
      }
    }
  }
  view.pctx.putImageData(view.image, 0, 0);
  ctx.setTransform(view.ratio, 0, 0, view.ratio, 0, 0);
  ctx.clearRect(0, 0, n * CELL, n * CELL);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(view.pixels, 0, 0, n * CELL, n * CELL);
  // Masked cells: grey stripes over the page background (either theme), one
  // rectangle per run of masked cells in a row.
  ctx.fillStyle = engine.stripes(ctx);
  for (let i = 0; i < n; i++) {
    const ok = result.allowed[i];
    for (let j = 0; j < n; j++) {
      if (ok[j]) {
        continue;
      }
      const start = j;
      while (j < n && !ok[j]) {
        j++;
      }
      ctx.fillRect(start * CELL, i * CELL, (j - start) * CELL, CELL);
    }
  }
  // A one-pixel gap between cells, as the table's cell borders.
  for (let i = 1; i <= n; i++) {
    ctx.clearRect(i * CELL - 1, 0, 1, n * CELL);
    ctx.clearRect(0, i * CELL - 1, n * CELL, 1);
  }
  view.mark.style.transform = `translateY(${ex.row * CELL}px)`;
};
