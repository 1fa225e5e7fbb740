// Chapter 7's tiling stepper: one block of queries meets the key blocks one at a
// time; the online softmax keeps each query's running maximum, running sum and
// output so far, rescaling the old sums when the maximum grows. In a kernel
// attn_book.views.tiling computes (with the book's step or the reader's own);
// online, compute() does the same here.
import * as core from "./core.js";

export { mount } from "./core.js";

const INF = Number.POSITIVE_INFINITY;

/** The state of one query block after `done` key blocks, as tiling_outputs computes it. */
export function compute(state, data) {
  const { causal, max_n: maxN, max_block: maxBlock } = state;
  const ok = (x, lo, hi) => Number.isInteger(x) && x >= lo && x <= hi;
  let { n, block } = state;
  let error = "";
  if (!ok(n, 2, maxN) || !ok(block, 1, maxBlock)) {
    error = `n must be a whole number from 2 to ${maxN}, the block size from 1 to ${maxBlock}.`;
    ({ n, block } = state.good); // the last good ones: the other controls keep working
  }
  const [q, k, v] = ["q", "k", "v"].map((name) => core.rows(core.array(data[name])));
  const clamp = (x, hi) => Math.min(Math.max(Number.isInteger(x) ? x : 0, 0), hi);
  const firstKeys = Array.from({ length: Math.ceil(n / block) }, (_x, b) => b * block);
  const queryBlock = clamp(state.query_block, firstKeys.length - 1);
  const first = queryBlock * block;
  const rows = Array.from({ length: Math.min(block, n - first) }, (_x, r) => first + r);
  const keyBlocks = firstKeys.filter((j) => !causal || j <= first);
  const done = clamp(state.done, keyBlocks.length);
  const scale = 1 / Math.sqrt(q[0].length);
  const allowed = (r, j) => !causal || j <= rows[r];
  const { weights, context: full } = core.attend(
    rows.map((i) => q[i]),
    k.slice(0, n),
    v.slice(0, n),
    scale,
    allowed,
  );
  const scores = weights.map((_w, r) =>
    k
      .slice(0, n)
      .map((kj, j) =>
        allowed(r, j) ? scale * q[rows[r]].reduce((s, x, c) => s + x * kj[c], 0) : -INF,
      ),
  );
  // The online softmax, one key block at a time (attn_book.scale.online_softmax_step).
  const m = rows.map(() => -INF);
  const total = rows.map(() => 0);
  const acc = rows.map(() => new Float64Array(v[0].length));
  let [before, blockMax] = [m.slice(), m.slice()];
  for (const j0 of keyBlocks.slice(0, done)) {
    before = m.slice();
    blockMax = scores.map((s) => Math.max(...s.slice(j0, j0 + block)));
    rows.forEach((_i, r) => {
      const shift = Math.max(m[r], blockMax[r]) === -INF ? 0 : Math.max(m[r], blockMax[r]);
      const rescale = Math.exp(m[r] - shift);
      total[r] *= rescale;
      acc[r] = acc[r].map((x) => x * rescale);
      for (let j = j0; j < Math.min(j0 + block, n); j++) {
        const p = Math.exp(scores[r][j] - shift);
        total[r] += p;
        acc[r] = acc[r].map((x, c) => x + p * v[j][c]);
      }
      m[r] = Math.max(m[r], blockMax[r]);
    });
  }
  const output = acc.map((a, r) => Array.from(a, (x) => x / (total[r] || 1)));
  const difference = Math.max(
    ...output.flatMap((o, r) => o.map((x, c) => Math.abs(x - full[r][c]))),
  );
  const vector = (xs) => ({ shape: [xs.length], data: Float64Array.from(xs) });
  return {
    n,
    block,
    good: { n, block },
    query_block: queryBlock,
    done,
    rows,
    key_blocks: keyBlocks,
    skipped: firstKeys.filter((j) => !keyBlocks.includes(j)),
    m: vector(m),
    total: vector(total),
    rescale: vector(before.map((b, r) => Math.exp(b - (m[r] === -INF ? 0 : m[r])))),
    block_max: vector(blockMax),
    output: core.fromRows(output),
    full: core.fromRows(full),
    difference,
    error,
  };
}

/** A number as the view prints it: −∞, 3 decimals, small ones in e-notation. */
const fmt = (x) =>
  (x === -INF ? "−∞" : x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(1) : x.toFixed(3)).replace(
    "-",
    "−",
  );

/** The view, in either feed. */
function render({ model, el }) {
  const get = (key) => model.get(key);
  const kernel = get("kernel_controls");
  const root = core.frame(el, get("title"), !kernel);
  const change = (key, value) => {
    model.set(key, value);
    model.save_changes();
  };
  const controls = {};
  if (!kernel) {
    const slider = (text, key, max, from = 0) =>
      core.slider(text, from, max, 1, (x) => change(key, key === "query_block" ? x - 1 : x));
    controls.n = slider("n (tokens)", "n", get("max_n"), 2);
    controls.block = slider("block size", "block", get("max_block"), 1);
    controls.query = slider("query block", "query_block", 1, 1);
    controls.causal = core.checkbox("causal", (on) => change("causal", on));
    controls.done = slider("key blocks done", "done", 1);
    const button = (text, by) => {
      const b = core.el("button", { type: "button", "data-lm-suppress-shortcuts": "true" }, text);
      b.addEventListener("click", () => change("done", get("done") + by));
      return b;
    };
    [controls.back, controls.next] = [button("◀ Back", -1), button("Next block ▶", 1)];
    const { n, block, query, causal, back, done, next } = controls;
    root.append(core.el("div", { className: "attn-controls" }, n, block, query, causal));
    root.append(core.el("div", { className: "attn-controls" }, back, done, next));
  }
  const status = core.statusLine();
  const grid = core.svg("svg", {
    role: "img",
    style: "width: min(12rem, 100%); height: auto; aspect-ratio: 1; flex: 0 0 auto",
  });
  const headers = "query,block max,running max m,old sums ×,running sum,output so far,full softmax";
  const th = headers.split(",").map((h) => core.el("th", { scope: "col" }, h));
  const body = core.el("tbody");
  const caption = core.el("caption", {}, "Each query of the block (positions from 1)");
  const head = core.el("thead", {}, core.el("tr", {}, ...th));
  // Seven columns of numbers: on a phone the type shrinks a little so that all of them show.
  const fit = { className: "attn-fills", style: "font-size: min(1em, 3.5vw)" };
  const table = core.el("table", fit, caption, head, body);
  const note = core.el("p", { className: "attn-note" });
  note.textContent =
    "The grid is the score matrix in blocks, queries down and keys across: the chosen query " +
    "block's row is outlined, its done blocks filled, the last one done marked, and the blocks " +
    "a causal mask skips crossed out; the block on the diagonal is computed, with the keys after " +
    "each query masked inside it.";
  const main = core.el("div", { className: "attn-main" }, table);
  root.append(status, core.el("div", { className: "attn-row" }, grid, main), note);

  const draw = () => {
    const [n, block, rows, keyBlocks, skipped, done, queryBlock] = [
      ...["n", "block", "rows", "key_blocks", "skipped", "done", "query_block"],
    ].map(get);
    const firstKeys = [...keyBlocks, ...skipped]; // the last good ones, even after bad input
    const blocks = firstKeys.length;
    const steps = keyBlocks.length;
    if (!kernel) {
      controls.n.show(n);
      controls.block.show(block);
      controls.query.range.max = String(blocks);
      controls.query.show(queryBlock + 1, `${queryBlock + 1} of ${blocks}`);
      controls.causal.box.checked = get("causal");
      controls.done.range.max = String(steps);
      controls.done.show(done, `${done} of ${steps}`);
      controls.back.disabled = done === 0;
      controls.next.disabled = done === steps;
    }
    // The grid: one square per (query block, key block); 10 units a square.
    const line = "vector-effect: non-scaling-stroke";
    grid.setAttribute("viewBox", `-1 -1 ${10 * blocks + 2} ${10 * blocks + 2}`);
    grid.replaceChildren();
    for (let c = 0; c < blocks; c++) {
      for (let b = 0; b < blocks; b++) {
        const at = b === queryBlock ? keyBlocks.indexOf(firstKeys[c]) : -1;
        const fill = at >= 0 && at < done ? "var(--attn-accent)" : "none";
        const last = at >= 0 && at === done - 1;
        const stroke = last ? "var(--attn-mark); stroke-width: 3" : "var(--attn-border)";
        const style = `fill: ${fill}; stroke: ${stroke}; ${line}`;
        grid.append(core.svg("rect", { x: 10 * c + 1, y: 10 * b + 1, width: 8, height: 8, style }));
        if (b === queryBlock && skipped.includes(firstKeys[c])) {
          const [x, y] = [10 * c, 10 * b];
          const cross = `M${x + 2} ${y + 2}L${x + 8} ${y + 8}M${x + 8} ${y + 2}L${x + 2} ${y + 8}`;
          grid.append(core.svg("path", { d: cross, style: `stroke: var(--attn-fg); ${line}` }));
        }
      }
    }
    const row = `fill: none; stroke: var(--attn-fg); stroke-width: 1.5; ${line}`;
    grid.append(
      core.svg("rect", { x: 0, y: 10 * queryBlock, width: 10 * blocks, height: 10, style: row }),
    );
    grid.setAttribute(
      "aria-label",
      `${blocks} by ${blocks} blocks of ${block}; query block ${queryBlock + 1}: ${done} of ` +
        `${steps} key blocks done${skipped.length ? `, ${skipped.length} skipped` : ""}.`,
    );
    // The table: one row per query of the block.
    const [m, total, rescale, blockMax] = ["m", "total", "rescale", "block_max"].map(
      (key) => core.array(get(key)).data,
    );
    const [output, full] = ["output", "full"].map((key) => core.rows(core.array(get(key))));
    while (body.children.length > rows.length) body.lastChild.remove();
    while (body.children.length < rows.length) {
      body.append(core.el("tr", {}, ...Array.from({ length: 7 }, () => core.el("td"))));
    }
    const pair = (xs) => `(${Array.from(xs, fmt).join(", ")})`;
    rows.forEach((i, r) => {
      const texts = [String(i + 1), fmt(blockMax[r]), fmt(m[r]), fmt(rescale[r]), fmt(total[r])];
      if (!done) [texts[1], texts[3]] = ["–", "–"]; // nothing read yet
      texts.push(done ? pair(output[r]) : "–", pair(full[r]));
      for (const [c, text] of texts.entries()) core.setText(body.children[r].children[c], text);
    });
    const skips = skipped.length
      ? ` A causal mask skips ${skipped.length} of ${blocks} key blocks: no query here sees them.`
      : "";
    const where = `Query block ${queryBlock + 1} (queries ${rows[0] + 1} to ${rows.at(-1) + 1})`;
    let text = `${where}: no key block yet; press Next block.`;
    if (done) {
      // What the last step did: which keys it read, and whose old sums it rescaled.
      const first = keyBlocks[done - 1];
      const diagonal = get("causal") && first === rows[0] ? ", on the diagonal" : "";
      const keys = `${done} of ${steps} key blocks done (the last: keys ${first + 1} to ${Math.min(first + block, n)}${diagonal})`;
      const grew = rows.filter((_i, r) => rescale[r] < 1).map((i) => i + 1);
      const who =
        grew.length > 1
          ? `queries ${grew.slice(0, -1).join(", ")} and ${grew.at(-1)}`
          : `query ${grew[0]}`;
      let step = "the first block sets each query's maximum";
      if (done > 1) {
        step = grew.length
          ? `the maximum grew for ${who}, so ${grew.length > 1 ? "their" : "its"} old sums were multiplied by e^(m − m′) < 1`
          : "no query's maximum grew, so no old sum changed";
      }
      const end =
        done === steps
          ? `the output equals the full softmax's (largest difference ${get("difference").toExponential(1)})`
          : `the output so far differs from the full softmax's by up to ${fmt(get("difference"))}`;
      text = `${keys}: ${step}; ${end}.`;
    }
    status.show(get("error") || text + skips, Boolean(get("error")));
  };
  core.redrawOn(model, root, draw);
}

export default { render };
