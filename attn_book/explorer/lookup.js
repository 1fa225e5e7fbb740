// The soft-lookup explorer of chapter 2: keys on a plane, a query the reader
// moves, a temperature, and the soft and hard lookups side by side.
// attn_book/explorer/lookup.py writes the data; the numbers are those of
// attn_book.lookup (soft_lookup, hard_lookup, effective_inputs). common.js
// starts every lookup explorer on the page.
const { el } = engine;
const SVG = "http://www.w3.org/2000/svg";

/** A new SVG element with attributes. */
const svgEl = (tag, attrs) => {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    node.setAttribute(name, String(value));
  }
  return node;
};

/** A number with d decimals, without a minus sign on a rounded zero. */
const fmt = (v, d) => {
  const text = v.toFixed(d);
  return Number(text) === 0 ? (0).toFixed(d) : text;
};

/** A vector as "(a, b)", with d decimals. */
const vec = (v, d) => `(${v.map((c) => fmt(c, d)).join(", ")})`;

/** A vector as "(a, b)", each number with at most 2 decimals and no trailing zeros. */
const shortVec = (v) => `(${v.map((c) => String(Number(fmt(c, 2)))).join(", ")})`;

/** Coordinate of grid step i: the nearest float to i * step, as Python's round(i * step, 10). */
const onGrid = (i, step) => Number((i * step).toFixed(10));

/**
 * The lookup for query q at temperature t, as attn_book.lookup computes it:
 * scores q . k_j; soft weights softmax(scores / t) with the largest score
 * subtracted first; the hard lookup takes the first key with the largest
 * score; the effective number of keys is 1 / sum(w^2).
 */
const compute = (data, q, t) => {
  const scores = data.keys.map((k) => k[0] * q[0] + k[1] * q[1]);
  const best = engine.argmax(scores);
  const soft = engine.softmax(scores.map((s) => (s - scores[best]) / t));
  const hard = scores.map((_s, j) => (j === best ? 1 : 0));
  const width = data.values[0].length;
  const softAnswer = [];
  for (let c = 0; c < width; c++) {
    let s = 0;
    soft.forEach((w, j) => {
      s += w * data.values[j][c];
    });
    softAnswer.push(s);
  }
  let squares = 0;
  for (const w of soft) {
    squares += w * w;
  }
  return {
    scores,
    soft,
    hard,
    best,
    softAnswer,
    hardAnswer: data.values[best].slice(),
    effective: 1 / squares,
  };
};

/** A slider with a visible label and a live value, inside a new .al-slider. */
const slider = (ex, key, text, min, max, step) => {
  const wrap = el("div", "al-slider");
  const input = el("input", `al-${key}`);
  input.type = "range";
  input.id = engine.idFor(ex, key);
  input.min = String(min);
  input.max = String(max);
  input.step = String(step);
  const label = el("label", null, text);
  label.htmlFor = input.id;
  const output = el("output", "al-value");
  output.htmlFor = input.id;
  wrap.appendChild(label);
  wrap.appendChild(input);
  wrap.appendChild(output);
  return { wrap, input, output };
};

/** The plane: grid, axes, one point per key, the query, the hard lookup's ring. */
const buildPlane = (ex) => {
  const { data } = ex;
  const e = data.extent;
  const svg = svgEl("svg", {
    class: "al-plane",
    viewBox: `${-e} ${-e} ${2 * e} ${2 * e}`,
    role: "img",
  });
  const unit = e / 20;
  for (let v = -Math.floor(e); v <= Math.floor(e); v++) {
    const axis = v === 0;
    const cls = axis ? "al-axis" : "al-grid";
    svg.appendChild(svgEl("line", { class: cls, x1: v, y1: -e, x2: v, y2: e }));
    svg.appendChild(svgEl("line", { class: cls, x1: -e, y1: -v, x2: e, y2: -v }));
    if (!axis) {
      const tick = svgEl("text", {
        class: "al-tick",
        x: v,
        y: 0.6 * unit,
        "font-size": 1.5 * unit,
      });
      tick.setAttribute("dominant-baseline", "hanging");
      tick.textContent = String(v);
      svg.appendChild(tick);
    }
  }
  ex.keyDots = data.keys.map((k, j) => {
    svg.appendChild(svgEl("line", { class: "al-keyline", x1: 0, y1: 0, x2: k[0], y2: -k[1] }));
    const dot = svgEl("circle", { class: "al-key", cx: k[0], cy: -k[1], r: unit });
    svg.appendChild(dot);
    const norm = Math.hypot(k[0], k[1]) || 1;
    const label = svgEl("text", {
      class: "al-keylabel",
      x: k[0] + (2.2 * unit * k[0]) / norm,
      y: -k[1] - (2.2 * unit * k[1]) / norm,
      "font-size": 2.2 * unit,
      "text-anchor": k[0] < -1e-9 ? "end" : k[0] > 1e-9 ? "start" : "middle",
    });
    label.setAttribute("dominant-baseline", "middle");
    label.textContent = data.names[j];
    svg.appendChild(label);
    return dot;
  });
  ex.ring = svgEl("circle", { class: "al-ring", r: 1.7 * unit });
  svg.appendChild(ex.ring);
  ex.queryLine = svgEl("line", { class: "al-queryline", x1: 0, y1: 0 });
  ex.queryDot = svgEl("circle", { class: "al-query", r: 0.9 * unit });
  ex.queryLabel = svgEl("text", { class: "al-querylabel", "font-size": 2.2 * unit });
  ex.queryLabel.setAttribute("dominant-baseline", "middle");
  ex.queryLabel.textContent = "q";
  svg.appendChild(ex.queryLine);
  svg.appendChild(ex.queryDot);
  svg.appendChild(ex.queryLabel);
  ex.unit = unit;

  // Drag the query, or click where it should go (the sliders do the same by keyboard).
  let dragging = false;
  const moveTo = (ev) => {
    const matrix = svg.getScreenCTM();
    if (!matrix) {
      return;
    }
    const point = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(matrix.inverse());
    const limit = Math.round(e / data.step);
    const clamp = (v) => Math.max(-limit, Math.min(limit, Math.round(v / data.step)));
    ex.setQuery(clamp(point.x), clamp(-point.y));
  };
  svg.addEventListener("pointerdown", (ev) => {
    dragging = true;
    if (svg.setPointerCapture && ev.pointerId !== undefined) {
      try {
        svg.setPointerCapture(ev.pointerId);
      } catch (_err) {
        // A synthetic event has no active pointer to capture; dragging still works.
      }
    }
    moveTo(ev);
    ev.preventDefault();
  });
  svg.addEventListener("pointermove", (ev) => {
    if (dragging) {
      moveTo(ev);
    }
  });
  for (const name of ["pointerup", "pointercancel"]) {
    svg.addEventListener(name, () => {
      dragging = false;
    });
  }
  return svg;
};

/** The table: one row per key with its value, score, soft weight and hard weight. */
const buildTable = (ex) => {
  const { data } = ex;
  const table = el("table", "al-table");
  const head = el("tr");
  for (const text of ["key", "value", "score q·k", "soft weight", "hard"]) {
    const th = el("th", null, text);
    th.scope = "col";
    head.appendChild(th);
  }
  const thead = el("thead");
  thead.appendChild(head);
  table.appendChild(thead);
  const tbody = el("tbody");
  ex.rows = data.names.map((name, j) => {
    const tr = el("tr");
    const th = el("th", "al-name", name);
    th.scope = "row";
    tr.appendChild(th);
    tr.appendChild(el("td", "al-vec", shortVec(data.values[j])));
    const score = el("td", "al-score");
    tr.appendChild(score);
    const softCell = el("td", "al-soft");
    const bar = el("span", "al-bar");
    const track = el("span", "al-track");
    const fill = el("span", "al-fill");
    track.appendChild(fill);
    const softText = el("span", "al-weight");
    bar.appendChild(track);
    bar.appendChild(softText);
    softCell.appendChild(bar);
    tr.appendChild(softCell);
    const hard = el("td", "al-hard");
    tr.appendChild(hard);
    tbody.appendChild(tr);
    return { tr, score, fill, softText, hard };
  });
  table.appendChild(tbody);
  return table;
};

/** Show the state: compute the lookup, then update the plane, table, readout and controls. */
engine.render = (ex) => {
  const { data, state, root } = ex;
  const q = [onGrid(state.ix, data.step), onGrid(state.iy, data.step)];
  const t = data.temperatures[state.ti];
  const r = compute(data, q, t);

  ex.x.input.value = String(q[0]);
  ex.y.input.value = String(q[1]);
  ex.t.input.value = String(state.ti);
  ex.x.output.textContent = fmt(q[0], 2);
  ex.y.output.textContent = fmt(q[1], 2);
  ex.t.output.textContent = String(t);
  ex.t.input.setAttribute("aria-valuetext", `temperature ${t}`);
  for (const b of ex.exampleButtons) {
    b.button.setAttribute("aria-pressed", String(b.ix === state.ix && b.iy === state.iy));
  }

  ex.queryLine.setAttribute("x2", String(q[0]));
  ex.queryLine.setAttribute("y2", String(-q[1]));
  ex.queryDot.setAttribute("cx", String(q[0]));
  ex.queryDot.setAttribute("cy", String(-q[1]));
  // The label sits beyond the query's tip (at the origin: above it).
  const norm = Math.hypot(q[0], q[1]);
  const [ux, uy] = norm > 1e-9 ? [q[0] / norm, q[1] / norm] : [0, 1];
  ex.queryLabel.setAttribute("x", String(q[0] + 2.2 * ex.unit * ux));
  ex.queryLabel.setAttribute("y", String(-q[1] - 2.2 * ex.unit * uy));
  ex.queryLabel.setAttribute("text-anchor", ux < -0.3 ? "end" : ux > 0.3 ? "start" : "middle");
  const best = data.keys[r.best];
  ex.ring.setAttribute("cx", String(best[0]));
  ex.ring.setAttribute("cy", String(-best[1]));
  ex.keyDots.forEach((dot, j) => {
    dot.setAttribute("fill", engine.colourOf(ex.palette, r.soft[j]).bg);
  });
  const where = data.names.map((name, j) => `${name} at ${shortVec(data.keys[j])}`);
  ex.plane.setAttribute(
    "aria-label",
    `The keys ${where.join(", ")} and the query at ${vec(q, 2)}. ` +
      "Drag the query or click the plane to move it; the sliders move it by keyboard.",
  );

  ex.rows.forEach((row, j) => {
    const w = r.soft[j];
    const colour = engine.colourOf(ex.palette, w);
    row.score.textContent = fmt(r.scores[j], 2);
    row.fill.style.width = `${(100 * w).toFixed(1)}%`;
    row.fill.style.background = colour.bg;
    row.softText.textContent = fmt(w, 3);
    row.hard.textContent = String(r.hard[j]);
    row.tr.classList.toggle("al-best", j === r.best);
  });

  const many = r.effective >= 1.5;
  ex.readout.textContent =
    `Soft lookup: ${vec(r.softAnswer, 2)}, the mix of every value. ` +
    `Hard lookup: ${shortVec(r.hardAnswer)}, the value of “${data.names[r.best]}” alone. ` +
    `Effective number of keys: ${fmt(r.effective, 2)}, the query aligns with ` +
    `${many ? "several keys" : "one key"}.`;

  // For tests and benchmarks: the state and what the page computed.
  root.setAttribute("data-state", JSON.stringify({ query: q, temperature: t }));
  root.setAttribute(
    "data-result",
    JSON.stringify({
      scores: r.scores,
      soft: r.soft,
      hard: r.hard,
      best: r.best,
      soft_answer: r.softAnswer,
      hard_answer: r.hardAnswer,
      effective: r.effective,
    }),
  );
};

/** Build one explorer inside ex.app: sliders, examples, the plane and the table. */
engine.build = (ex) => {
  const { app, data } = ex;
  const d = data.defaults;
  ex.state = {
    ix: Math.round(d.query[0] / data.step),
    iy: Math.round(d.query[1] / data.step),
    ti: data.temperatures.indexOf(d.temperature),
  };
  ex.exampleButtons = [];
  ex.palette = engine.palette(data.colours);
  ex.setQuery = (ix, iy) => {
    if (ix !== ex.state.ix || iy !== ex.state.iy) {
      ex.state.ix = ix;
      ex.state.iy = iy;
      engine.render(ex);
    }
  };

  const main = el("div", "al-main");
  const planeWrap = el("div", "al-planewrap");
  ex.plane = buildPlane(ex);
  planeWrap.appendChild(ex.plane);
  const side = el("div", "al-side");
  side.appendChild(buildTable(ex));
  ex.readout = el("p", "al-readout");
  ex.readout.setAttribute("aria-live", "polite");
  side.appendChild(ex.readout);
  main.appendChild(planeWrap);
  main.appendChild(side);

  const controls = el("div", "al-controls");
  const e = data.extent;
  ex.x = slider(ex, "x", "query x", -e, e, data.step);
  ex.y = slider(ex, "y", "query y", -e, e, data.step);
  ex.t = slider(ex, "t", "temperature τ", 0, data.temperatures.length - 1, 1);
  for (const s of [ex.x, ex.y, ex.t]) {
    controls.appendChild(s.wrap);
  }
  const fromSlider = (input) => Math.round(Number(input.value) / data.step);
  ex.x.input.addEventListener("input", () => ex.setQuery(fromSlider(ex.x.input), ex.state.iy));
  ex.y.input.addEventListener("input", () => ex.setQuery(ex.state.ix, fromSlider(ex.y.input)));
  ex.t.input.addEventListener("input", () => {
    ex.state.ti = Number(ex.t.input.value);
    engine.render(ex);
  });

  const examples = el("div", "al-examples");
  if (data.examples.length) {
    examples.appendChild(el("span", "al-examples-label", "Move the query to:"));
  }
  for (const example of data.examples) {
    const button = engine.button("al-example", example.label);
    const ix = Math.round(example.query[0] / data.step);
    const iy = Math.round(example.query[1] / data.step);
    button.addEventListener("click", () => ex.setQuery(ix, iy));
    examples.appendChild(button);
    ex.exampleButtons.push({ button, ix, iy });
  }
  const note = el(
    "p",
    "al-note",
    "Soft weights: softmax(q·k / τ); the ringed key is the hard lookup's choice " +
      "(the largest score). A small τ makes the soft lookup hard; a large τ spreads " +
      "the weight evenly.",
  );

  app.textContent = "";
  for (const part of [controls, examples, main, note]) {
    app.appendChild(part);
  }
};
