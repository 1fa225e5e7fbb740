// Chapter 6's trained two-layer attention-only model: the attention of every
// head on a sequence the reader picks or types, the next-token probabilities,
// heads removed, and the accuracy measured without them. In a kernel,
// attn_book.views.induction computes with attn_book.induction and the controls
// are ipywidgets; online, compute() runs the same forward pass here, on the
// weights exported at build time.
import * as core from "./core.js";

export { mount } from "./core.js";

/** attn_book.induction.parse_tokens: { tokens } or { error }, by the same rule. */
export function parseTokens(text, vocab, seqLen) {
  const parts = text.split(/[ \t\r\n,]+/).filter((part) => part);
  if (!parts.length) return { error: `Type 1 to ${seqLen} tokens: numbers 0 to ${vocab - 1}.` };
  for (const part of parts) {
    if (!/^[0-9]{1,6}$/.test(part) || Number(part) >= vocab) {
      return {
        error: `"${core.short(part)}" is not a token: tokens are numbers 0 to ${vocab - 1}.`,
      };
    }
  }
  if (parts.length > seqLen) {
    return { error: `${parts.length} tokens: the model reads at most ${seqLen}.` };
  }
  return { tokens: parts.map(Number) };
}

const decoded = new WeakMap(); // the weights, decoded once per page

/** The exported matrix `name` (embed, pos_embed, layer1.w_q, ..., unembed) as rows. */
function matrix(data, name) {
  if (!decoded.has(data)) decoded.set(data, {});
  decoded.get(data)[name] ||= core.rows(core.array(data.params[name]));
  return decoded.get(data)[name];
}

/**
 * attn_book.induction.forward for one sequence: every head's causal attention, each
 * head's output added to the residual stream unless it is removed (its head_mask 0).
 * Returns { weights (a matrix per head, layer by layer), probabilities }.
 */
function forward(data, tokens, off, heads) {
  const w = (name) => matrix(data, name);
  let x = tokens.map((token, i) => w("embed")[token].map((e, c) => e + w("pos_embed")[i][c]));
  const weights = [];
  for (let layer = 0; data.params[`layer${layer + 1}.w_q`]; layer++) {
    const [wq, wk, wv, wo] = ["w_q", "w_k", "w_v", "w_o"].map((m) => w(`layer${layer + 1}.${m}`));
    const dh = wq[0].length / heads;
    const next = x.map((row) => Float64Array.from(row));
    for (let h = 0; h < heads; h++) {
      const [from, to] = [h * dh, (h + 1) * dh];
      const [q, k, v] = [wq, wk, wv].map((m) => core.matmul(x, m, from, to));
      const head = core.attend(q, k, v, 1 / Math.sqrt(dh), (i, j) => j <= i);
      weights.push(head.weights);
      if (off.has(layer * heads + h)) continue;
      // What head h writes: its context times its own rows of W_o.
      core.matmul(head.context, wo.slice(from, to)).forEach((row, i) => {
        for (let c = 0; c < row.length; c++) next[i][c] += row[c];
      });
    }
    x = next;
  }
  return { weights, probabilities: core.matmul(x, w("unembed")).map(core.softmax) };
}

/** The outputs for one state, as attn_book.views.induction.induction_outputs computes them. */
export function compute(state, data) {
  const read = parseTokens(state.text, state.vocab_size, state.seq_len);
  const tokens = read.tokens || state.tokens; // bad text: the last good tokens
  const off = new Set(state.removed.map(([layer, h]) => layer * state.num_heads + h));
  const out = forward(data, tokens, off, state.num_heads);
  return {
    tokens,
    error: read.error || "",
    weights: core.fromRows(out.weights),
    probabilities: core.fromRows(out.probabilities),
    predictions: out.probabilities.map(core.argmax),
    query: Math.min(state.query, tokens.length - 1),
  };
}

/** The view, in either feed. */
function render({ model, el }) {
  const get = (key) => model.get(key);
  const root = core.frame(el, get("title"), !get("kernel_controls"));
  const change = (key, value) => {
    model.set(key, value);
    model.save_changes();
  };
  const [names, perLayer, examples] = [get("head_names"), get("num_heads"), get("examples")];
  const note = (text = "") => core.el("p", { className: "attn-note" }, text);
  let box = null;
  let menu = null;
  const checks = [];
  // The sequence and the heads to remove: drawn here only in a page with no kernel.
  if (!get("kernel_controls")) {
    const pick = examples.map((e, k) => [k, e.label]);
    menu = core.select("Sequence", [...pick, ["", "your own"]], (k) => {
      if (k === "") return;
      box.box.value = examples[k].tokens.join(" ");
      model.set("query", examples[k].query);
      change("text", box.box.value);
    });
    box = core.textBox(`Tokens (0 to ${get("vocab_size") - 1})`, (t) => change("text", t), 30);
    box.box.value = get("text");
    const group = core.el("div", { className: "attn-controls", role: "group" });
    group.setAttribute("aria-label", "Remove heads");
    const off = () =>
      checks.flatMap((c, k) => (c.box.checked ? [[(k / perLayer) | 0, k % perLayer]] : []));
    for (const name of names)
      checks.push(core.checkbox(`remove ${name}`, () => change("removed", off())));
    group.append(...checks);
    root.append(core.el("div", { className: "attn-controls" }, menu, box), group);
  }
  const status = core.statusLine();
  const score = core.el("p");
  const grid = core.el("div", { className: "attn-grid" });
  const axes = note(
    "Each square: a row per query, a column per key (positions from 1, top to bottom and left to right); the outlined row is the chosen position. Click a row to choose it.",
  );
  const heads = core.el("div", {}, grid, axes);
  heads.style.maxWidth = "22rem"; // two heads a row: 2 x 160 px and the gap, also at 390 px
  const strip = note();
  const main = core.el("div", { className: "attn-main" }, strip);
  main.style.maxWidth = "21rem";
  const pickQuery = (i) => change("query", i);
  const positionMenu = core.select("Position", [], pickQuery);
  const reading = core.el("ul", { className: "attn-note" }); // the chosen position, in words
  const side = core.el("div", { className: "attn-side" }, positionMenu, reading);
  root.append(status, score, core.el("div", { className: "attn-row" }, heads, main), side);
  // The heatmaps, once their parents are in the view (each sizes itself to the view).
  const maps = names.map(() => {
    const caption = note();
    Object.assign(caption.style, { width: 0, minWidth: "100%" }); // as wide as the canvas
    const figure = core.el("div", {}, caption);
    figure.style.flex = "none"; // its natural size, not squeezed
    grid.append(figure);
    return { caption, map: core.heatmap(figure, get("ramp"), pickQuery, 160) };
  });
  const probabilities = core.heatmap(main, get("ramp"), pickQuery, 330);

  const draw = () => {
    const [tokens, error, removed] = [get("tokens"), get("error"), get("removed")];
    const n = tokens.length;
    const query = Math.min(get("query"), n - 1);
    status.show(error && `${error} Still showing the last good sequence.`, Boolean(error));
    box?.box.setAttribute("aria-invalid", String(Boolean(error)));
    const off = new Set(removed.map(([layer, h]) => layer * perLayer + h));
    const same = examples.findIndex((e) => e.tokens.join(" ") === tokens.join(" "));
    menu?.setValue(same < 0 ? "" : same);
    checks.forEach((check, k) => {
      check.box.checked = off.has(k);
    });
    // The accuracy with these heads removed, measured in Python (index: a bit per head).
    const accuracy = get("accuracies").map((a) => a.toFixed(3));
    const without = names.filter((_name, k) => off.has(k)).join(" + ");
    const chance = `chance ${(1 / get("vocab_size")).toFixed(4)}`;
    const found = without
      ? `${accuracy[[...off].reduce((bits, k) => bits + 2 ** k, 0)]} without ${without} (${accuracy[0]} with every head; ${chance})`
      : `${accuracy[0]} with every head (${chance})`;
    const sequences = `the ${get("eval_size")} evaluation sequences`;
    core.setText(score, `Accuracy on the repeated part of ${sequences}: ${found}.`);
    const weights = core.array(get("weights"));
    const probs = core.rows(core.array(get("probabilities")));
    const predictions = get("predictions");
    const blank = tokens.map(() => "");
    const causal = (i, j) => j <= i;
    const lines = [];
    maps.forEach(({ caption, map }, k) => {
      const name = names[k];
      core.setText(caption, off.has(k) ? `${name} (removed)` : name);
      map.canvas.style.opacity = off.has(k) ? "0.45" : "";
      const rows = core.rows(weights, k);
      map.update({
        values: rows,
        rowLabels: blank,
        colLabels: blank,
        shown: causal,
        selected: query,
        title: `attention weights of ${name}${off.has(k) ? ", removed" : ""}`,
      });
      const j = core.argmax(rows[query]);
      const unused = off.has(k) ? " (removed: what it writes is not used)" : "";
      lines.push(
        `${name} looks most at position ${j + 1} (token ${tokens[j]}), weight ${rows[query][j].toFixed(2)}${unused}.`,
      );
    });
    // A row per position: its token, the predicted next token, ✓ when it is the next one.
    const right = (i) => i + 1 < n && predictions[i] === tokens[i + 1];
    const hits = tokens.filter((_t, i) => right(i)).length;
    core.setText(
      strip,
      `Next-token probabilities: a row per position (its token → the prediction), a column per token. The prediction is the next token (✓) at ${hits} of ${n - 1} positions.`,
    );
    probabilities.update({
      values: probs,
      rowLabels: tokens.map((t, i) => `${i + 1}: ${t}→${predictions[i]}${right(i) ? " ✓" : ""}`),
      colLabels: Array.from(probs[0], (_p, v) => String(v)), // strings: a typed array keeps numbers, and 0 is no label
      selected: query,
      title: "next-token probabilities, a row per position, a column per token",
    });
    positionMenu.setOptions(tokens.map((t, i) => [i, `${i + 1} (token ${t})`]));
    positionMenu.setValue(query);
    const order = [...probs[query].keys()].sort((a, b) => probs[query][b] - probs[query][a]);
    const top = order.slice(0, 3).map((v) => `${v} (${probs[query][v].toFixed(2)})`);
    const next = query + 1 < n ? `; the next token is ${tokens[query + 1]}` : "";
    lines.unshift(`The model predicts ${top.join(", ")}${next}.`);
    reading.replaceChildren(...lines.map((line) => core.el("li", {}, line)));
  };
  core.redrawOn(model, root, draw);
}

export default { render };
