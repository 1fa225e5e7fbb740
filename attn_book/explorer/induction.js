// The induction explorer: chapter 6's trained two-layer attention-only model,
// run in the page. attn_book/explorer/induction.py writes the model's weights,
// a few example sequences and the colour ramp as JSON beside this script; the
// script computes the same forward pass as attn_book.induction.forward (token
// and position embeddings, causal multi-head attention layers added to the
// residual stream, unembedding, softmax) for whatever tokens the reader types,
// and shows every head's attention and the predicted next tokens. Every text,
// the reader's own input included, is inserted with textContent. common.js
// starts every induction explorer on the page.
const { el } = engine;

/**
 * The reader's tokens, by the rules of attn_book.induction.parse_tokens:
 * whole numbers 0..vocab-1 separated by spaces, tabs, line breaks or commas,
 * 1 to seq_len of them. Returns {tokens} or {error} (the same messages).
 */
engine.parseTokens = (text, vocab, seqLen) => {
  const parts = String(text)
    .split(/[ \t\r\n,]+/)
    .filter((part) => part.length > 0);
  if (parts.length === 0) {
    return { error: `type 1 to ${seqLen} tokens, numbers 0 to ${vocab - 1}` };
  }
  for (const part of parts) {
    if (!/^[0-9]+$/.test(part) || Number(part) >= vocab) {
      const shown = part.length <= 12 ? part : `${part.slice(0, 11)}\u2026`;
      return { error: `"${shown}" is not a token: tokens are numbers 0 to ${vocab - 1}` };
    }
  }
  if (parts.length > seqLen) {
    return { error: `${parts.length} tokens: the model reads at most ${seqLen}` };
  }
  return { tokens: parts.map(Number) };
};

/** A (rows x cols) matrix of nested lists as a flat row-major Float64Array. */
const flat = (rows) => {
  const cols = rows[0].length;
  const out = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    out.set(row, i * cols);
  });
  return out;
};

/** The model's weights as flat arrays, made once per explorer. */
engine.model = (data) => ({
  d: data.d_model,
  vocab: data.vocab_size,
  embed: flat(data.params.embed),
  pos: flat(data.params.pos_embed),
  layers: data.params.layers.map((layer) => ({
    w_q: flat(layer.w_q),
    w_k: flat(layer.w_k),
    w_v: flat(layer.w_v),
    w_o: flat(layer.w_o),
  })),
  unembed: flat(data.params.unembed),
});

// x (n x d, flat) @ w (d x m, flat) -> n x m, flat
const matmul = (x, n, d, w, m) => {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) {
      const a = x[i * d + t];
      const row = t * m;
      const o = i * m;
      for (let c = 0; c < m; c++) {
        out[o + c] += a * w[row + c];
      }
    }
  }
  return out;
};

/**
 * The forward pass of attn_book.induction.forward. gate[l][h] is 0 for a
 * removed head, 1 otherwise. Returns {weights[l][h] (n x n), probs (n x vocab)}
 * as nested arrays of numbers.
 */
engine.forward = (model, tokens, gate) => {
  const n = tokens.length;
  const d = model.d;
  const heads = gate[0].length;
  const dh = d / heads;
  const scale = 1 / Math.sqrt(dh);
  let x = new Float64Array(n * d);
  tokens.forEach((tok, i) => {
    for (let c = 0; c < d; c++) {
      x[i * d + c] = model.embed[tok * d + c] + model.pos[i * d + c];
    }
  });
  const weights = [];
  model.layers.forEach((layer, l) => {
    const q = matmul(x, n, d, layer.w_q, d);
    const k = matmul(x, n, d, layer.w_k, d);
    const v = matmul(x, n, d, layer.w_v, d);
    const merged = new Float64Array(n * d);
    const layerWeights = [];
    for (let h = 0; h < heads; h++) {
      const c0 = h * dh;
      const g = gate[l][h];
      const a = [];
      for (let i = 0; i < n; i++) {
        const row = new Array(n);
        for (let j = 0; j < n; j++) {
          if (j > i) {
            row[j] = -Infinity; // causal mask: a query sees itself and the past
            continue;
          }
          let s = 0;
          for (let t = c0; t < c0 + dh; t++) {
            s += q[i * d + t] * k[j * d + t];
          }
          row[j] = s * scale;
        }
        engine.softmax(row);
        a.push(row);
        for (let t = c0; t < c0 + dh; t++) {
          let s = 0;
          for (let j = 0; j <= i; j++) {
            s += row[j] * v[j * d + t];
          }
          merged[i * d + t] = s * g;
        }
      }
      layerWeights.push(a);
    }
    const added = matmul(merged, n, d, layer.w_o, d);
    const next = new Float64Array(n * d);
    for (let c = 0; c < n * d; c++) {
      next[c] = x[c] + added[c];
    }
    x = next;
    weights.push(layerWeights);
  });
  const logits = matmul(x, n, d, model.unembed, model.vocab);
  const probs = [];
  for (let i = 0; i < n; i++) {
    probs.push(engine.softmax(Array.from(logits.subarray(i * model.vocab, (i + 1) * model.vocab))));
  }
  return { weights, probs };
};

const argsort = (values) =>
  values
    .map((value, index) => [value, index])
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .map((pair) => pair[1]);

/** The layout: controls, message line, the four heatmaps, readout and prediction strip. */
const build = (ex) => {
  const { data } = ex;
  const form = el("form", "ai-form");
  form.setAttribute("novalidate", "");
  const exampleLabel = el("label", "ai-label", "Example ");
  ex.exampleSel = engine.select("ai-example", [
    ...data.examples.map((example, i) => [i, example.label]),
    [-1, "your tokens"],
  ]);
  exampleLabel.appendChild(ex.exampleSel);
  const inputLabel = el("label", "ai-label ai-input-label", "Tokens ");
  ex.input = engine.textBox("ai-tokens", engine.idFor(ex, "tokens"));
  inputLabel.appendChild(ex.input);
  const run = el("button", "ai-run", "Run");
  run.type = "submit";
  form.appendChild(exampleLabel);
  form.appendChild(inputLabel);
  form.appendChild(run);

  ex.message = engine.messageLine(ex, "p");

  const remove = el("fieldset", "ai-remove");
  remove.appendChild(el("legend", null, "Remove heads"));
  ex.boxes = [];
  data.head_names.forEach((name, index) => {
    const label = el("label", "ai-check");
    const box = el("input");
    box.type = "checkbox";
    box.value = String(index);
    label.appendChild(box);
    label.appendChild(document.createTextNode(` ${name}`));
    remove.appendChild(label);
    ex.boxes.push(box);
  });

  const grid = el("div", "ai-heads");
  ex.canvases = [];
  ex.marks = [];
  data.head_names.forEach((name, index) => {
    const cell = el("figure", "ai-head");
    const caption = el("figcaption", "ai-head-title", name);
    // The canvas, and over it a box around the selected row (moving the box
    // needs no redraw of the canvas).
    const plot = el("div", "ai-plot");
    const canvas = el("canvas", "ai-canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `attention weights of ${name}`);
    canvas.dataset.head = String(index);
    const mark = el("div", "ai-rowmark");
    plot.appendChild(canvas);
    plot.appendChild(mark);
    cell.appendChild(caption);
    cell.appendChild(plot);
    grid.appendChild(cell);
    ex.canvases.push(canvas);
    ex.marks.push(mark);
  });
  const axes = el(
    "p",
    "ai-note",
    "Each square: rows are queries (positions 0 to n\u22121, top to bottom), columns are " +
      "keys; brighter = more weight. The outlined row is the selected position. Grey " +
      "cells are masked (the future).",
  );
  ex.hover = el("p", "ai-hover");

  ex.readout = el("div", "ai-readout");
  ex.readout.setAttribute("aria-live", "polite");
  const strip = el("div", "ai-strip");
  ex.table = el("table", "ai-predictions");
  strip.appendChild(ex.table);
  const stripNote = el(
    "p",
    "ai-note",
    "Click a token to select its position. \u201cpredicts\u201d is the most likely next " +
      "token, coloured by its probability; \u2713 marks a prediction that equals the next " +
      "token. The model was trained on the repeated part only: elsewhere its guesses, " +
      "however confident, are right only by chance.",
  );

  ex.app.textContent = "";
  for (const part of [form, ex.message, remove, grid, axes, ex.hover, ex.readout]) {
    ex.app.appendChild(part);
  }
  ex.app.appendChild(strip);
  ex.app.appendChild(stripNote);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    engine.submit(ex, ex.input.value);
  });
  ex.exampleSel.addEventListener("change", () => {
    const index = Number(ex.exampleSel.value);
    if (index >= 0) {
      engine.chooseExample(ex, index);
    }
  });
  remove.addEventListener("change", () => {
    ex.state.removed = ex.boxes.filter((box) => box.checked).map((box) => Number(box.value));
    engine.render(ex);
  });
  ex.table.addEventListener("click", (event) => {
    const button = event.target.closest("button.ai-pos");
    if (button) {
      ex.state.query = Number(button.dataset.pos);
      engine.render(ex);
    }
  });
  for (const canvas of ex.canvases) {
    canvas.addEventListener("mousemove", (event) => engine.hoverCell(ex, canvas, event));
    canvas.addEventListener("mouseleave", () => {
      ex.hover.textContent = "";
    });
    canvas.addEventListener("click", (event) => {
      const cell = engine.cellAt(canvas, ex.state.tokens.length, event);
      if (cell) {
        ex.state.query = cell[0];
        engine.render(ex);
      }
    });
  }
};

/** Read the tokens box; on bad input say why and keep the last view. */
engine.submit = (ex, text) => {
  const parsed = engine.parseTokens(text, ex.data.vocab_size, ex.data.seq_len);
  if (parsed.error) {
    engine.setMessage(ex, `${parsed.error} (showing the last valid sequence)`, true);
    ex.root.setAttribute("data-error", parsed.error);
    return;
  }
  const tokens = parsed.tokens;
  const match = ex.data.examples.findIndex(
    (example) =>
      example.tokens.length === tokens.length &&
      example.tokens.every((token, i) => token === tokens[i]),
  );
  ex.state.example = match;
  ex.state.tokens = tokens;
  ex.state.query = Math.min(ex.state.query, tokens.length - 1);
  engine.clearMessage(ex);
  engine.render(ex);
};

engine.chooseExample = (ex, index) => {
  const example = ex.data.examples[index];
  ex.state.example = index;
  ex.state.tokens = example.tokens.slice();
  ex.state.query = example.query;
  ex.input.value = example.tokens.join(" ");
  engine.clearMessage(ex);
  engine.render(ex);
};

engine.clearMessage = (ex) => {
  engine.setMessage(ex, "", false);
  ex.root.removeAttribute("data-error");
};

engine.hoverCell = (ex, canvas, event) => {
  const cell = engine.cellAt(canvas, ex.state.tokens.length, event);
  if (!cell || !ex.result) {
    ex.hover.textContent = "";
    return;
  }
  const [i, j] = cell;
  const index = Number(canvas.dataset.head);
  const layer = Math.floor(index / ex.data.num_heads);
  const head = index % ex.data.num_heads;
  const tokens = ex.state.tokens;
  const weight = ex.result.weights[layer][head][i][j];
  ex.hover.textContent =
    `${ex.data.head_names[index]}: query ${i} (token ${tokens[i]}) \u2192 key ${j} ` +
    `(token ${tokens[j]}): ${j > i ? "masked" : `weight ${weight.toFixed(3)}`}`;
};

const drawHead = (ex, canvas, weights, removed) => {
  const n = weights.length;
  const cell = Math.max(8, Math.min(24, Math.floor(192 / n)));
  const size = cell * n;
  if (canvas.width !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  const masked = getComputedStyle(ex.root).getPropertyValue("--ai-masked-rgb").trim();
  const grey = (masked || "208, 208, 208").split(",").map(Number);
  // One pixel per weight (the future masked), then scaled up without smoothing:
  // one drawImage, not n*n rects.
  const pixels = new ImageData(n, n);
  if (!ex.words) {
    ex.words = engine.pixelWords(ex.palette);
  }
  engine.paintWeights(pixels, ex.words, weights, (i, j) => j <= i, engine.pixelWord(grey));
  if (!ex.scratch || ex.scratch.width !== n) {
    ex.scratch = document.createElement("canvas");
    ex.scratch.width = n;
    ex.scratch.height = n;
  }
  ex.scratch.getContext("2d").putImageData(pixels, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(ex.scratch, 0, 0, size, size);
  canvas.classList.toggle("ai-removed", removed);
  canvas.dataset.cell = String(cell);
};

const buildTable = (ex, n) => {
  const table = ex.table;
  table.textContent = "";
  const head = el("thead");
  const headRow = el("tr");
  headRow.appendChild(el("th", "ai-rowname", "position"));
  const body = el("tbody");
  const tokenRow = el("tr");
  tokenRow.appendChild(el("th", "ai-rowname", "token"));
  const predRow = el("tr");
  predRow.appendChild(el("th", "ai-rowname", "predicts"));
  const probRow = el("tr");
  probRow.appendChild(el("th", "ai-rowname", "probability"));
  ex.cells = { buttons: [], preds: [], probs: [] };
  for (let i = 0; i < n; i++) {
    headRow.appendChild(el("th", "ai-posnum", String(i)));
    const cell = el("td");
    const button = engine.button("ai-pos");
    button.dataset.pos = String(i);
    cell.appendChild(button);
    tokenRow.appendChild(cell);
    const pred = el("td", "ai-pred");
    predRow.appendChild(pred);
    const prob = el("td", "ai-prob");
    probRow.appendChild(prob);
    ex.cells.buttons.push(button);
    ex.cells.preds.push(pred);
    ex.cells.probs.push(prob);
  }
  head.appendChild(headRow);
  body.appendChild(tokenRow);
  body.appendChild(predRow);
  body.appendChild(probRow);
  table.appendChild(head);
  table.appendChild(body);
  ex.builtFor = n;
};

/** Run the model on the state and show everything. */
engine.render = (ex) => {
  const { data, state } = ex;
  const tokens = state.tokens;
  const n = tokens.length;
  state.query = Math.max(0, Math.min(state.query, n - 1));
  const gate = data.params.layers.map((_layer, l) =>
    Array.from({ length: data.num_heads }, (_, h) =>
      state.removed.includes(l * data.num_heads + h) ? 0 : 1,
    ),
  );
  // A new position needs no new forward pass, heatmaps or predictions.
  const key = `${tokens.join(",")}|${state.removed.join(",")}`;
  const changed = ex.resultKey !== key;
  if (changed) {
    ex.result = engine.forward(ex.model, tokens, gate);
    ex.resultKey = key;
  }
  const result = ex.result;

  ex.exampleSel.value = String(state.example);
  if (document.activeElement !== ex.input) {
    ex.input.value = tokens.join(" ");
  }
  ex.boxes.forEach((box, index) => {
    box.checked = state.removed.includes(index);
  });
  if (ex.builtFor !== n) {
    buildTable(ex, n);
  }
  if (changed) {
    ex.hover.textContent = ""; // it described the previous tokens or heads
    ex.canvases.forEach((canvas, index) => {
      const layer = Math.floor(index / data.num_heads);
      const head = index % data.num_heads;
      drawHead(ex, canvas, result.weights[layer][head], state.removed.includes(index));
    });
    const predicted = result.probs.map(engine.argmax);
    for (let i = 0; i < n; i++) {
      const button = ex.cells.buttons[i];
      button.textContent = String(tokens[i]);
      button.setAttribute("aria-label", `position ${i}, token ${tokens[i]}`);
      const best = predicted[i];
      const p = result.probs[i][best];
      const right = i + 1 < n && tokens[i + 1] === best;
      const { bg, fg } = engine.colourOf(ex.palette, p);
      const pred = ex.cells.preds[i];
      pred.textContent = right ? `${best}\u2713` : String(best);
      pred.style.background = bg;
      pred.style.color = fg;
      pred.classList.toggle("ai-right", right);
      ex.cells.probs[i].textContent = p.toFixed(2);
    }
    ex.root.setAttribute("data-result", JSON.stringify(result));
  }
  ex.cells.buttons.forEach((button, i) => {
    const pressed = i === state.query ? "true" : "false";
    if (button.getAttribute("aria-pressed") !== pressed) {
      button.setAttribute("aria-pressed", pressed);
    }
  });
  for (const mark of ex.marks) {
    mark.style.top = `${(100 * state.query) / n}%`;
    mark.style.height = `${100 / n}%`;
  }

  // The selected position, in words (what a keyboard or screen reader user reads).
  const i = state.query;
  const order = argsort(result.probs[i]).slice(0, 3);
  const lines = [];
  const next = i + 1 < n ? `; the next token is ${tokens[i + 1]}` : "";
  lines.push(
    `Position ${i}, token ${tokens[i]}. The model predicts ` +
      order.map((t) => `${t} (${result.probs[i][t].toFixed(2)})`).join(", ") +
      next +
      ".",
  );
  data.head_names.forEach((name, index) => {
    const layer = Math.floor(index / data.num_heads);
    const head = index % data.num_heads;
    const row = result.weights[layer][head][i];
    const j = engine.argmax(row);
    const off = state.removed.includes(index) ? " (removed: its output is not used)" : "";
    lines.push(
      `${name} looks most at position ${j} (token ${tokens[j]}), weight ${row[j].toFixed(2)}${off}.`,
    );
  });
  ex.readout.textContent = "";
  for (const line of lines) {
    ex.readout.appendChild(el("p", null, line));
  }

  // For tests and benchmarks: the state and what the model computed.
  ex.root.setAttribute(
    "data-state",
    JSON.stringify({
      example: state.example,
      tokens: tokens.slice(),
      removed: state.removed.slice(),
      query: state.query,
    }),
  );
};

/** Build one explorer inside ex.app, on the first example (engine.start renders it). */
engine.build = (ex) => {
  const { data } = ex;
  const first = data.examples[data.defaults.example];
  Object.assign(ex, {
    state: {
      example: data.defaults.example,
      tokens: first.tokens.slice(),
      removed: [],
      query: first.query,
    },
    builtFor: null,
    result: null,
    resultKey: null,
    model: engine.model(data),
    palette: engine.palette(data.colours),
  });
  build(ex);
};
