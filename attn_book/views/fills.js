// Chapter 5's fill-value view: one query row of six keys, the last two masked;
// the fill, replace or add, the precision, the masked keys' scores, every key
// masked or not, and the softmax decide each key's weight. In a kernel,
// attn_book.views.fills computes with attn_book.fills and attn_core and the
// controls are ipywidgets; online, compute() below does the same, float16
// included (NumPy's half arithmetic: each operation rounded to half).
import * as core from "./core.js";

export { mount } from "./core.js";

/** x rounded to the nearest float16 (ties to even), as np.float16(x): overflow gives ±inf. */
export function half(x) {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1; // log2 may be off by one next to a power of two
  if (2 ** (e + 1) <= a) e += 1;
  const ulp = 2 ** (Math.max(e, -14) - 10); // 11 significant bits; subnormals below 2^-14
  const y = a / ulp;
  let r = Math.floor(y);
  if (y - r > 0.5 || (y - r === 0.5 && r % 2 === 1)) r += 1;
  const v = r * ulp > 65504 ? Number.POSITIVE_INFINITY : r * ulp;
  return x < 0 ? -v : v;
}

/** The outputs for one state, as attn_book.views.fills.fill_outputs computes them in Python. */
export function compute(state, data) {
  // float16: NumPy computes each operation in float32 and rounds to half (float32 sums).
  const f16 = state.precision === "float16";
  const round = f16 ? half : (x) => x;
  const op = f16 ? (x) => half(Math.fround(x)) : (x) => x;
  const scores = core.array(data.scores).data;
  const fillValue = round(core.array(data.fills).data[state.choices.fill.indexOf(state.fill)]);
  const allowed = data.allowed.map((ok) => ok && !state.every_key_masked);
  const filled = allowed.map((ok, j) => {
    const s = round(data.allowed[j] ? scores[j] : state.masked_score);
    if (ok) return s;
    return state.how === "replace" ? fillValue : op(s + fillValue);
  });
  const mine = state.softmax === "attn_core";
  // attn_core's softmax takes float16 scores in float32 and rounds only the weights to
  // float16; the textbook one computes in float16, rounding each operation.
  const step = f16 ? (mine ? Math.fround : op) : (x) => x;
  let max = Math.max(...filled);
  if (mine && max === Number.NEGATIVE_INFINITY) max = 0; // zeros, not NaN
  const exps = filled.map((s) => step(Math.exp(step(s - max))));
  let total = 0;
  for (const e of exps) total = f16 ? Math.fround(total + e) : total + e;
  total = f16 && !mine ? half(total) : total;
  if (mine && total === 0) total = 1;
  const weights = exps.map((e) => round(step(e / total)));
  let leaked = 0;
  for (const [j, w] of weights.entries()) if (!allowed[j]) leaked += w;
  let verdict;
  if (weights.some(Number.isNaN)) verdict = "nan";
  else if (!allowed.some(Boolean)) verdict = leaked === 0 ? "zeros" : "reads";
  else verdict = leaked === 0 ? "exact" : leaked < 1e-6 ? "tiny" : "leak";
  let ignored = "";
  if (state.how === "replace") ignored = "replace";
  else if (fillValue === Number.NEGATIVE_INFINITY)
    ignored = state.fill === "-inf" ? "inf" : "overflow";
  return {
    allowed,
    filled: { shape: [6], data: Float64Array.from(filled) },
    weights: { shape: [6], data: Float64Array.from(weights) },
    verdict,
    score_ignored: ignored,
  };
}

/** A number as the view prints it: -inf, NaN, 0, 1.2002, 4.5e-44. */
function fmt(x) {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x < 0 ? "-inf" : "inf";
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(5)));
}

/** What the verdict means, in one line (leaked: the masked keys' total weight). */
const VERDICTS = {
  nan: () => "NaN: the row is lost, and NaN spreads to every later layer.",
  zeros: () => "No key allowed: all zeros (attn_core's rule), no NaN.",
  reads: (leaked) =>
    `No key allowed, yet the weights sum to ${fmt(leaked)}: the query reads keys it must not see.`,
  exact: () => "Masked keys get exactly 0: the mask works.",
  tiny: (leaked) => `Masked keys get ${fmt(leaked)}: in effect 0, but not exactly.`,
  leak: (leaked) => `Masked keys get ${(100 * leaked).toFixed(1)}% of the weight: the mask leaks.`,
};

/** Why the masked score changes nothing, in one line. */
const IGNORED = {
  replace: '"replace" overwrites it.',
  inf: "any score plus -inf is -inf.",
  overflow: "-1e9 is -inf in float16, and any score plus -inf is -inf.",
};

/** The view, in either feed. */
function render({ model, el }) {
  const get = (key) => model.get(key);
  const root = core.frame(el, get("title"), !get("kernel_controls"));
  const change = (key, value) => {
    model.set(key, value);
    model.save_changes();
  };
  const choices = get("choices");
  const menus = {};
  let score = null;
  let every = null;
  if (!get("kernel_controls")) {
    for (const key of Object.keys(choices)) {
      // Values are indices: a label such as "-1e4" would come back as a number.
      const options = choices[key].map((c, i) => [i, c]);
      const label = key === "how" ? "fill is" : key;
      menus[key] = core.select(label, options, (i) => change(key, choices[key][i]));
    }
    const [low, high, step] = get("score_range");
    score = core.slider("masked score", low, high, step, (v) => change("masked_score", v));
    score.readout = core.el("output", { htmlFor: score.range.id });
    score.append(score.readout);
    every = core.checkbox("mask every key", (on) => change("every_key_masked", on));
    const { fill, how, precision, softmax } = menus;
    root.append(
      core.el("div", { className: "attn-controls" }, fill, how, precision, score, every, softmax),
    );
  }
  const why = core.el("p", { className: "attn-note" });
  const status = core.statusLine();
  const headers = (texts) => texts.map((text) => core.el("th", { scope: "col" }, text));
  const rows = Array.from({ length: 6 }, (_v, j) =>
    core.el(
      "tr",
      {},
      core.el("th", { scope: "row" }, String(j + 1)),
      core.el("td"),
      core.el("td"),
      core.el(
        "td",
        {},
        core.el("span", { className: "attn-number" }),
        core.el("span", { className: "attn-bar" }),
      ),
    ),
  );
  const table = core.el(
    "table",
    { className: "attn-fills" },
    core.el("caption", {}, "Each key's score after the fill, and its weight"),
    core.el("thead", {}, core.el("tr", {}, ...headers(["key", "mask", "score", "weight"]))),
    core.el("tbody", {}, ...rows),
  );
  root.append(why, status, table);

  const draw = () => {
    for (const key of Object.keys(menus)) menus[key].setValue(choices[key].indexOf(get(key)));
    const ignored = get("score_ignored");
    if (score) {
      score.range.value = String(get("masked_score"));
      score.range.disabled = Boolean(ignored);
      core.setText(score.readout, String(get("masked_score")));
      every.box.checked = get("every_key_masked");
    }
    core.setText(why, ignored ? `The masked score changes nothing now: ${IGNORED[ignored]}` : "");
    why.hidden = !ignored;
    const allowed = get("allowed");
    const filled = core.array(get("filled")).data;
    const weights = core.array(get("weights")).data;
    let leaked = 0;
    for (const [j, w] of weights.entries()) if (!allowed[j]) leaked += w;
    const kind = get("verdict");
    status.show(VERDICTS[kind](leaked), ["nan", "leak", "reads"].includes(kind));
    for (const [j, row] of rows.entries()) {
      const [, mask, value, weight] = row.children;
      core.setText(mask, allowed[j] ? "allowed" : "masked");
      core.setText(value, fmt(filled[j]));
      core.setText(weight.firstChild, fmt(weights[j]));
      weight.lastChild.style.width = `${(6 * (weights[j] || 0)).toFixed(2)}rem`; // NaN: no bar
    }
  };
  core.redrawOn(model, root, draw);
}

export default { render };
