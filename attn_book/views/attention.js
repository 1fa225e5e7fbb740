// The attention view (chapters 3 to 5): a sentence's attention weights as a
// heatmap, the bars of the chosen query, optionally every head at a glance,
// switchable tokens, and panels of what attention makes of the values.
// In a kernel, attn_book.views.attention computes the outputs with attn_core
// (or with the reader's own attention function) and its controls are
// ipywidgets; online, compute() below does the same in the browser.
import * as core from "./core.js";

export { mount } from "./core.js";

/** What a mask choice combines (attn_book.views.attention.MASKS). */
const MASKS = {
  none: { causal: false, padding: false },
  causal: { causal: true, padding: false },
  padding: { causal: false, padding: true },
  "causal + padding": { causal: true, padding: true },
};

/**
 * The outputs for one state, computed in the browser exactly as
 * attn_book.views.attention.attention_outputs does in Python.
 */
export function compute(state, data) {
  // Text without words, or too many: say so, and draw from the last good text.
  let words = core.tokenize(state.text, data.max_tokens);
  const error = words.error || "";
  const text = error ? state.good_text : state.text;
  if (error) words = core.tokenize(text, data.max_tokens);
  const all = words.tokens;
  const sameTokens = state.tokens && state.tokens.join(" ") === all.join(" ");
  let active = state.active;
  if (!active || active.length !== all.length || !sameTokens) active = all.map(() => true);
  if (!active.some(Boolean)) active = all.map(() => true);
  const rule = MASKS[state.mask];
  const keep = all.map((_t, i) => i).filter((i) => rule.padding || active[i]);
  const tokens = keep.map((i) => all[i]);
  const real = keep.map((i) => active[i]);
  const x = tokens.map((t) => core.wordVector(t, data.text));
  const [wq, wk, wv] = ["w_q", "w_k", "w_v"].map((name) => core.rows(core.array(data[name])));
  const heads = state.heads;
  const dk = wq[0].length / heads;
  const dv = wv[0].length / heads;
  const scale = state.scaled ? 1 / Math.sqrt(dk) : 1;
  const allowed = (i, j) => real[j] && (!rule.causal || j <= i);
  const weights = [];
  const contexts = [];
  for (let h = 0; h < heads; h++) {
    const head = core.attend(
      core.matmul(x, wq, h * dk, (h + 1) * dk),
      core.matmul(x, wk, h * dk, (h + 1) * dk),
      core.matmul(x, wv, h * dv, (h + 1) * dv),
      scale,
      allowed,
    );
    weights.push(head.weights);
    contexts.push(head.context);
  }
  const panels = [];
  const h = Math.min(state.head, heads - 1);
  for (const kind of state.panels) {
    if (kind === "context") {
      panels.push({
        title: "context vectors C = A V",
        cols: data.value_names,
        values: core.fromRows(contexts[h]),
      });
    } else if (kind === "share") {
      // Head h's part of concat(heads): its d_v columns, zeros elsewhere; then through W_o.
      const width = heads * dv;
      const part = contexts[h].map((row) => {
        const full = new Float64Array(width);
        full.set(row, h * dv);
        return full;
      });
      const cols = Array.from({ length: width }, (_v, c) => String(c + 1));
      const wo = core.rows(core.array(data.w_o));
      panels.push({ title: "its part of concat(heads)", cols, values: core.fromRows(part) });
      panels.push({
        title: "its share of the output, after W_o",
        cols,
        values: core.fromRows(core.matmul(part, wo)),
      });
    }
  }
  return {
    tokens: all,
    active,
    positions: keep,
    padding: real.map((r) => !r),
    weights: core.fromRows(weights),
    panel_values: panels,
    good_text: text,
    error,
  };
}

/** The view, in either feed. */
function render({ model, el }) {
  const kernel = model.get("kernel_controls");
  const get = (key) => model.get(key);
  const ramp = get("ramp");
  const signedRamp = get("signed_ramp");
  const root = core.frame(el, get("title"), !kernel);
  const change = (key, value) => {
    model.set(key, value);
    model.save_changes();
  };
  // Controls: drawn here only in a page with no kernel (in a kernel they are ipywidgets).
  const controls = core.el("div", { className: "attn-controls" });
  let sentenceBox = null;
  let headMenu = null;
  if (!kernel) {
    const sentences = get("sentences");
    if (sentences.length > 1) {
      const menu = core.select(
        "Sentence",
        sentences.map(([label], i) => [i, label]),
        (i) => {
          sentenceBox.box.value = sentences[i][1];
          change("text", sentences[i][1]);
        },
      );
      controls.append(menu);
    }
    sentenceBox = core.textBox("Text", (text) => change("text", text));
    sentenceBox.box.value = get("text");
    controls.append(sentenceBox);
    if (get("head_options").length > 1) {
      const menu = core.select(
        "Heads",
        get("head_options").map((h) => [h, String(h)]),
        (h) => {
          model.set("head", 0);
          change("heads", h);
        },
      );
      menu.setValue(get("heads"));
      controls.append(menu);
    }
    headMenu = core.select("Head", [], (h) => change("head", h));
    controls.append(headMenu);
    if (get("masks").length > 1) {
      const menu = core.select(
        "Mask",
        get("masks").map((m) => [m, m]),
        (m) => change("mask", m),
      );
      menu.setValue(get("mask"));
      controls.append(menu);
    }
    if (get("scale_toggle")) {
      const box = core.checkbox("divide by √d_k", (on) => change("scaled", on));
      box.box.checked = get("scaled");
      controls.append(box);
    }
    root.append(controls);
  }
  const status = core.statusLine();
  const toggles = core.el("div", {
    className: "attn-toggles",
    role: "group",
    "aria-label": "Tokens (switch off)",
  });
  const grid = core.el("div", { className: "attn-grid" });
  const main = core.el("div", { className: "attn-main" });
  const barsBox = core.el("div", { className: "attn-side" });
  const panelsBox = core.el("div", { className: "attn-panels" });
  root.append(
    status,
    toggles,
    grid,
    core.el("div", { className: "attn-row" }, main, barsBox),
    panelsBox,
  );
  const pickQuery = (i) => change("query", i);
  const map = core.heatmap(main, ramp, pickQuery);
  const queryMenu = core.select("Query", [], pickQuery);
  barsBox.append(queryMenu);
  const caption = core.el("p", { className: "attn-note" });
  barsBox.append(caption);
  const bars = core.bars(barsBox, "weights of the chosen query");
  const minis = [];
  let panelMaps = [];

  const draw = () => {
    const error = get("error");
    status.show(error || get("note"), Boolean(error));
    if (sentenceBox) sentenceBox.box.setAttribute("aria-invalid", error ? "true" : "false");
    const tokens = get("tokens");
    const positions = get("positions");
    const padding = get("padding");
    const heads = get("heads");
    const head = Math.min(get("head"), heads - 1);
    const weights = core.array(get("weights"));
    const n = positions.length;
    const query = Math.min(get("query"), n - 1);
    const labels = positions.map((p, i) => (padding[i] ? `${tokens[p]} (pad)` : tokens[p]));
    const shown = (i, j) => !padding[j] && !(get("mask").startsWith("causal") && j > i);
    if (headMenu) {
      headMenu.setOptions(Array.from({ length: heads }, (_v, h) => [h, `${h + 1} of ${heads}`]));
      headMenu.setValue(head);
      headMenu.hidden = heads === 1;
    }
    // Switches for the tokens (with a padding mask a switched-off token becomes padding).
    if (get("toggles")) {
      const active = get("active");
      if (toggles.children.length !== tokens.length || toggles.dataset.text !== tokens.join(" ")) {
        toggles.dataset.text = tokens.join(" ");
        toggles.replaceChildren(
          ...tokens.map((t, i) => {
            const button = core.el(
              "button",
              { type: "button", className: "attn-token" },
              core.short(t),
            );
            button.addEventListener("click", () => {
              const next = [...get("active")];
              next[i] = !next[i];
              change("active", next);
            });
            return button;
          }),
        );
      }
      for (const [i, button] of [...toggles.children].entries()) {
        button.setAttribute("aria-pressed", String(active[i]));
      }
    }
    // Every head at a glance: click one to show it below.
    if (get("grid") && heads > 1) {
      while (minis.length < heads) {
        const box = core.el("div", { className: "attn-mini" });
        const title = core.el("button", { type: "button", className: "attn-mini-title" });
        const index = minis.length;
        title.addEventListener("click", () => change("head", index));
        box.append(title);
        grid.append(box);
        minis.push({ box, title, map: core.heatmap(box, ramp, () => change("head", index), 110) });
      }
      minis.forEach((mini, h) => {
        mini.box.hidden = h >= heads;
        if (h >= heads) return;
        core.setText(mini.title, `head ${h + 1}`);
        mini.title.setAttribute("aria-pressed", String(h === head));
        mini.map.update({
          values: core.rows(weights, h),
          rowLabels: labels.map(() => ""),
          colLabels: labels.map(() => ""),
          shown,
          title: `attention weights of head ${h + 1} of ${heads}`,
        });
      });
      grid.hidden = false;
    } else {
      grid.hidden = true;
    }
    const rowsOfHead = core.rows(weights, head);
    const name = heads > 1 ? `head ${head + 1} of ${heads}` : "the head";
    map.update({
      values: rowsOfHead,
      rowLabels: labels,
      colLabels: labels,
      shown,
      selected: query,
      title: `Attention weights of ${name}: a row per query, a column per key; query "${labels[query]}" outlined`,
    });
    queryMenu.setOptions(labels.map((t, i) => [i, `${i + 1}: ${core.short(t)}`]));
    queryMenu.setValue(query);
    core.setText(caption, `Where "${core.short(labels[query])}" looks (${name}):`);
    bars.update(labels, rowsOfHead[query], (j) => shown(query, j));
    // Panels: matrices that attention makes of the values (signed: the diverging ramp).
    const panels = get("panel_values");
    if (panelMaps.length !== panels.length) {
      panelsBox.replaceChildren();
      panelMaps = panels.map(() => {
        const box = core.el("div", { className: "attn-panel" });
        const title = core.el("p", { className: "attn-note" });
        box.append(title);
        panelsBox.append(box);
        return { title, map: core.heatmap(box, signedRamp) };
      });
    }
    panels.forEach((panel, k) => {
      const values = core.rows(core.array(panel.values));
      let top = 0;
      for (const row of values) for (const v of row) top = Math.max(top, Math.abs(v));
      top = Math.ceil(10 * top) / 10 || 1;
      core.setText(panelMaps[k].title, `${panel.title} (${name})`);
      panelMaps[k].map.update({
        values,
        rowLabels: labels,
        colLabels: panel.cols,
        lo: -top,
        hi: top,
        title: `${panel.title}: a row per token, a column per feature`,
      });
    });
  };
  core.redrawOn(model, root, draw);
}

export default { render };
