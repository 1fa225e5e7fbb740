// The soft-lookup view (chapter 2): keys as points of a plane, a query the
// reader moves (drag, click, arrow keys, sliders, presets), a temperature, and
// the soft and hard lookups side by side. In a kernel attn_book.views.lookup
// computes with attn_book.lookup; online, compute() does the same here.
import * as core from "./core.js";

export { mount } from "./core.js";

/**
 * The outputs for one state, as attn_book.views.lookup.lookup_outputs: soft
 * weights softmax(q·k / τ) (attn_core's softmax), the hard lookup's key the
 * first with the largest score (np.argmax), and every key that ties with it.
 */
export function compute(state) {
  const q = [state.query_x, state.query_y];
  const tau = state.temperature;
  const scores = state.key_points.map((k) => k[0] * q[0] + k[1] * q[1]);
  if (!(tau > 0) || !scores.every((s) => Number.isFinite(s / tau))) {
    return { error: "The query must be finite, the temperature positive." };
  }
  const { weights, context } = core.attend([q], state.key_points, state.values, 1 / tau);
  const soft = Array.from(weights[0]);
  const best = core.argmax(scores);
  const preset = state.presets.find(
    (p) => p.query[0] === q[0] && p.query[1] === q[1] && p.temperature === tau,
  );
  return {
    query: q,
    scores,
    soft_weights: soft,
    hard_weights: scores.map((_s, j) => (j === best ? 1 : 0)),
    soft_answer: Array.from(context[0]),
    hard_answer: state.values[best].slice(),
    best,
    ties: scores.flatMap((s, j) => (s === scores[best] ? [j] : [])),
    effective: 1 / soft.reduce((sum, w) => sum + w * w, 0),
    preset: preset ? preset.label : "",
    error: "",
  };
}

/** A number with d decimals, a true minus sign, and no "-0.00". */
const fmt = (v, d = 2) => (Number(v.toFixed(d)) === 0 ? 0 : v).toFixed(d).replace("-", "−");
/** A vector as "(a, b)", at most two decimals each. */
const vec = (v) => `(${v.map((c) => fmt(c).replace(/\.?0+$/, "")).join(", ")})`;
/** Items as prose: "a", "a and b", "a, b and c". */
const list = (items) =>
  `${items.slice(0, -1).join(", ")}${items.length > 1 ? " and " : ""}${items.at(-1)}`;

/** Set an element's attributes. */
const set = (node, attrs) => {
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
};

/** Place an SVG text just beyond the tip of (x, y) (above it at the origin; inside, at the edge). */
function beyond(text, x, y, gap, extent) {
  const norm = Math.hypot(x, y);
  let [ux, uy] = norm > 1e-9 ? [x / norm, y / norm] : [0, 1];
  if (Math.max(Math.abs(x + 2 * gap * ux), Math.abs(y + 2 * gap * uy)) > extent) {
    [ux, uy] = [-ux, -uy];
  }
  const anchor = ux < -0.3 ? "end" : ux > 0.3 ? "start" : "middle";
  set(text, { x: x + gap * ux, y: -y - gap * uy, "text-anchor": anchor }); // SVG's y points down
}

/** The view, in either feed. */
function render({ model, el }) {
  const get = (key) => model.get(key);
  const kernel = get("kernel_controls");
  const [names, keys, values, ramp] = ["names", "key_points", "values", "ramp"].map(get);
  const [extent, step, temperatures] = ["extent", "step", "temperatures"].map(get);
  const quoted = names.map((n) => `“${core.short(n)}”`);
  const root = core.frame(el, get("title"), !kernel);
  const change = (state) => {
    for (const [key, value] of Object.entries(state)) model.set(key, value);
    model.save_changes();
  };
  // On the sliders' grid, inside the plane (toFixed: the float nearest a multiple of step).
  const onGrid = (v) =>
    Number((Math.round(Math.max(-extent, Math.min(extent, v)) / step) * step).toFixed(10));
  const moveTo = (x, y) => change({ query_x: onGrid(x), query_y: onGrid(y) });

  // Controls: drawn here only in a page with no kernel (in a kernel they are ipywidgets).
  const sliders = [];
  const buttons = [];
  if (!kernel) {
    const axis = (name, key) =>
      core.slider(name, -extent, extent, step, (v) => change({ [key]: onGrid(v) }));
    sliders.push(axis("query x", "query_x"), axis("query y", "query_y"));
    sliders.push(
      core.slider("temperature τ", 0, temperatures.length - 1, 1, (i) =>
        change({ temperature: temperatures[i] }),
      ),
    );
    for (const p of get("presets")) {
      const props = { type: "button", "data-lm-suppress-shortcuts": "true" };
      const button = core.el("button", props, p.label);
      button.addEventListener("click", () =>
        change({ query_x: p.query[0], query_y: p.query[1], temperature: p.temperature }),
      );
      buttons.push([p.label, button]);
    }
    const go = core.el("span", { className: "attn-control", role: "group", "aria-label": "Go to" });
    go.append("Go to:", ...buttons.map(([, b]) => b));
    root.append(
      core.el("div", { className: "attn-controls" }, ...sliders, buttons.length ? go : ""),
    );
  }
  const status = core.statusLine();

  // The plane, in its own units: a grid, each key from the origin, the query, a ring.
  const unit = extent / 20;
  const plane = core.svg("svg", {
    class: "attn-plane",
    viewBox: `${-extent} ${-extent} ${2 * extent} ${2 * extent}`,
    role: "application",
    "aria-roledescription": "plane",
    tabindex: 0,
    "data-lm-suppress-shortcuts": "true",
  });
  const fixed = "vector-effect: non-scaling-stroke"; // a line's width in pixels, not units
  const line = (x1, y1, x2, y2, style) =>
    core.svg("line", { x1, x2, y1: -y1, y2: -y2, style: `${fixed}; ${style}` });
  // Text wears a halo of the background, so that it reads over the grid.
  const halo = `paint-order: stroke; stroke: var(--attn-bg); stroke-width: ${0.45 * unit}`;
  const text = (content, style, size = 2.2) =>
    core.svg("text", { "font-size": size * unit, "dominant-baseline": "middle", style }, content);
  for (let v = -Math.floor(extent); v <= extent; v++) {
    const style = `stroke: var(--attn-muted); stroke-opacity: ${v === 0 ? 1 : 0.3}`;
    plane.append(line(v, -extent, v, extent, style), line(-extent, v, extent, v, style));
    // The numbers along the bottom and the left edges, away from the keys.
    const tick = (x, y) => set(text(String(v), "fill: var(--attn-muted)", 1.6), { x, y });
    plane.append(tick(v + 0.4 * unit, extent - 1.2 * unit), tick(0.6 * unit - extent, -v - unit));
  }
  const labels = [];
  const dots = keys.map(([x, y], j) => {
    // Every key outlined in the text colour: readable on either theme whatever its fill.
    const style = `stroke: var(--attn-fg); stroke-width: 2px; ${fixed}`;
    const dot = core.svg("circle", { cx: x, cy: -y, r: 1.1 * unit, style });
    labels.push(text(core.short(names[j]), `fill: var(--attn-fg); ${halo}`));
    beyond(labels[j], x, y, 3 * unit, extent);
    plane.append(line(0, 0, x, y, "stroke: var(--attn-muted)"), dot);
    return dot;
  });
  const mark = "stroke: var(--attn-mark); stroke-width: 2px";
  const dashed = `${mark}; stroke-dasharray: 4 3; ${fixed}`;
  const ring = core.svg("circle", { r: 2 * unit, fill: "none", style: dashed });
  const arrow = line(0, 0, 0, 0, mark);
  const tip = core.svg("circle", { r: unit, style: "fill: var(--attn-mark)" });
  const qLabel = text("q", `fill: var(--attn-mark); font-weight: 600; ${halo}`);
  plane.append(ring, arrow, tip, ...labels, qLabel); // the names on top, so they stay readable
  // Drag the query, or click where it should go; the arrow keys move it (Shift: further).
  const pointTo = (event) => {
    const p = new DOMPoint(event.clientX, event.clientY);
    const at = p.matrixTransform(plane.getScreenCTM().inverse());
    moveTo(at.x, -at.y);
  };
  plane.addEventListener("pointerdown", (event) => {
    plane.setPointerCapture(event.pointerId); // the drag goes on outside the plane
    pointTo(event);
  });
  plane.addEventListener("pointermove", (event) => event.buttons && pointTo(event));
  const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
  plane.addEventListener("keydown", (event) => {
    const [dx, dy] = arrows[event.key] || [];
    if (dx === undefined) return;
    event.preventDefault();
    const by = (event.shiftKey ? 10 : 2) * step;
    const [x, y] = get("query");
    moveTo(x + dx * by, y + dy * by);
  });

  // Beside the plane: the weights as bars, and what the two lookups return.
  const side = core.el("div", { className: "attn-side" });
  const note = (content) => core.el("p", { className: "attn-note" }, content);
  const softCaption = note("");
  side.append(softCaption);
  const softBars = core.bars(side, "soft weights");
  side.append(note("Hard weights: all on the best score"));
  const hardBars = core.bars(side, "hard weights");
  const readout = core.el("p", { "aria-live": "polite" });
  const tie = core.el("p", { className: "attn-tie" });
  const stored = names.map((_n, j) => `${quoted[j]} ${vec(values[j])}`);
  side.append(readout, tie, note(`Values: ${list(stored)}.`));
  root.append(
    status,
    core.el("div", { className: "attn-row" }, plane, side),
    note(
      "Move the query q: drag it, click the plane, or give the plane the focus and use " +
        "the arrow keys (Shift: larger steps). The ringed key is the hard lookup's.",
    ),
  );

  const draw = () => {
    status.show(get("error"), true);
    const keysOut = ["query", "temperature", "soft_weights", "scores", "best", "ties"];
    const [q, tau, soft, scores, best, ties] = keysOut.map(get);
    if (!kernel) {
      sliders[0].show(q[0], fmt(q[0]));
      sliders[1].show(q[1], fmt(q[1]));
      const i = temperatures.indexOf(tau);
      if (i >= 0) sliders[2].show(i, String(tau));
      for (const [label, b] of buttons)
        b.setAttribute("aria-current", String(label === get("preset")));
    }
    for (const [j, dot] of dots.entries())
      dot.setAttribute("fill", core.colourOf(ramp, soft[j]).bg);
    set(ring, { cx: keys[best][0], cy: -keys[best][1] });
    set(arrow, { x2: q[0], y2: -q[1] });
    set(tip, { cx: q[0], cy: -q[1] });
    beyond(qLabel, q[0], q[1], 2.4 * unit, extent);
    const where = keys.map((k, j) => `${quoted[j]} at ${vec(k)}`);
    plane.setAttribute("aria-label", `Keys ${list(where)}; the query q at ${vec(q)}.`);
    core.setText(softCaption, `Soft weights, softmax(q·k / τ) at τ = ${tau}:`);
    softBars.update(names, soft);
    hardBars.update(names, get("hard_weights"));
    core.setText(
      readout,
      `Scores q·k: ${list(scores.map((s, j) => `${quoted[j]} ${fmt(s)}`))}. ` +
        `Soft lookup: ${vec(get("soft_answer"))}, a mix of every value. ` +
        `Hard lookup: ${vec(get("hard_answer"))}, the value of ${quoted[best]} alone. ` +
        `Effective number of keys: ${fmt(get("effective"))}: the query aligns with ` +
        `${get("effective") < 1.5 ? "one key" : "several keys"}.`,
    );
    core.setText(
      tie,
      `A tie: ${list(ties.map((j) => quoted[j]))} have the same best score, ${fmt(scores[best])}. ` +
        `The hard lookup takes the first of them, ${quoted[best]}, as np.argmax does.`,
    );
    tie.hidden = ties.length < 2;
  };
  core.redrawOn(model, root, draw);
}

export default { render };
