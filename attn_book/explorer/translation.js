// The kernel-free translator explorer (attn_book/explorer/translation.py).
// Runs the trained toy encoder-decoders of the history chapter in the page:
// the forward pass of attn_book.seq2seq.forward (greedy decoding), in the same
// order of operations, on the weights exported into the page's JSON data.
// common.js starts every translator on the page.
const { el } = engine;

// Fill "{name}" placeholders of a message template (attn_book.toy_tasks.SENTENCE_MESSAGES).
const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));

// ---------------------------------------------------------------- weights

// One weight: base64 of little-endian float64 -> {shape, data: Float64Array}.
const decodeWeight = (entry) => {
  const binary = atob(entry.data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  const view = new DataView(bytes.buffer);
  const data = new Float64Array(binary.length / 8);
  for (let i = 0; i < data.length; i++) {
    data[i] = view.getFloat64(8 * i, true);
  }
  return { shape: entry.shape, data };
};

// Row `index` of a 2-D weight, or matrix `index` of a 3-D one, as {shape, data}.
const part = (w, index) => {
  const shape = w.shape.slice(1);
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, data: w.data.subarray(index * size, (index + 1) * size) };
};

// ---------------------------------------------------------------- vector maths

// vec (k) times matrix (k, n) -> (n): the row-vector product x @ W of NumPy.
const times = (vec, m) => {
  const k = m.shape[0];
  const n = m.shape[1];
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let i = 0; i < k; i++) {
      acc += vec[i] * m.data[i * n + j];
    }
    out[j] = acc;
  }
  return out;
};

const add = (a, b) => {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    out[i] = a[i] + b[i];
  }
  return out;
};

const tanh = (a) => {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    out[i] = Math.tanh(a[i]);
  }
  return out;
};

const concat = (a, b) => {
  const out = new Float64Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};

// ---------------------------------------------------------------- the model

/**
 * attn_book.seq2seq.forward with greedy decoding, for one sentence of token ids.
 * Returns {ids, logits (n arrays of V), alignment (n arrays of n) or null}.
 */
const translateIds = (model, ids, bos) => {
  const w = model.weights;
  const n = ids.length;
  const hidden = w.enc_wh.shape[2];
  // Encoder: direction 0 reads the sentence, direction 1 reads it reversed.
  const states = [[], []];
  for (let k = 0; k < 2; k++) {
    const wx = part(w.enc_wx, k);
    const wh = part(w.enc_wh, k);
    const b = part(w.enc_b, k).data;
    let h = new Float64Array(hidden);
    for (let t = 0; t < n; t++) {
      const x = part(w.enc_emb, k === 0 ? ids[t] : ids[n - 1 - t]).data;
      // rnn_forward: inputs = x W_x + b, then rnn_step: tanh(inputs + h W_h).
      h = tanh(add(add(times(x, wx), b), times(h, wh)));
      states[k].push(h);
    }
  }
  // Annotation h_j = [forward h_j ; backward h_j]; summary = both final states.
  const annotations = [];
  for (let j = 0; j < n; j++) {
    annotations.push(concat(states[0][j], states[1][n - 1 - j]));
  }
  const summary = concat(states[0][n - 1], states[1][n - 1]);

  let s = tanh(add(times(summary, w.init_w), w.init_b.data)); // s_0
  const keys = model.attention ? annotations.map((h) => times(h, w.att_wk)) : null;
  const logits = [];
  const alignment = model.attention ? [] : null;
  const out = [];
  let word = bos;
  for (let i = 0; i < n; i++) {
    const y = part(w.dec_emb, word).data;
    const share = add(times(y, w.dec_wy), w.dec_b.data);
    let context = summary;
    if (model.attention) {
      // Bahdanau: score_j = v_a . tanh(s_{i-1} W_q + h_j W_k); softmax; weighted sum.
      const query = times(s, w.att_wq);
      const scores = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        const features = tanh(add(query, keys[j]));
        let score = 0;
        for (let a = 0; a < features.length; a++) {
          score += features[a] * w.att_va.data[a];
        }
        scores[j] = score;
      }
      const weights = engine.softmax(scores);
      context = new Float64Array(summary.length);
      for (let j = 0; j < n; j++) {
        for (let d = 0; d < context.length; d++) {
          context[d] += weights[j] * annotations[j][d];
        }
      }
      alignment.push(Array.from(weights));
    }
    // s_i = tanh(y W_y + b + c_i W_c + s_{i-1} W_s)
    s = tanh(add(add(share, times(context, w.dec_wc)), times(s, w.dec_ws)));
    // The output layer: s_i W_os + c_i W_oc + y W_oy + b_o.
    const scores = add(
      add(add(times(s, w.out_ws), times(context, w.out_wc)), times(y, w.out_wy)),
      w.out_b.data,
    );
    logits.push(Array.from(scores));
    word = engine.argmax(scores);
    out.push(word);
  }
  return { ids: out, logits, alignment };
};

// ---------------------------------------------------------------- the reader's sentence

/**
 * attn_book.toy_tasks.check_sentence: {letters} or {error} with the same message.
 * Spaces are dropped; then nothing left, over the length limit, symbols outside the
 * alphabet, checked in that order.
 */
const checkSentence = (data, text) => {
  const letters = String(text).replace(/ /g, "");
  const chars = Array.from(letters); // code points, as Python counts them
  if (chars.length === 0) {
    return { error: fill(data.messages.empty, { letters: data.letters }) };
  }
  if (chars.length > data.max_length) {
    return {
      error: fill(data.messages.too_long, { count: chars.length, max_length: data.max_length }),
    };
  }
  const unknown = Array.from(new Set(chars.filter((c) => !data.letters.includes(c))));
  if (unknown.length) {
    unknown.sort((a, b) => a.codePointAt(0) - b.codePointAt(0));
    return {
      error: fill(data.messages.unknown, { symbols: unknown.join(" "), letters: data.letters }),
    };
  }
  return { letters };
};

const upper = (data, ids) => ids.map((i) => data.letters[i].toUpperCase()).join("");

// attn_book.toy_tasks.translate: the reference translation.
const reference = (data, ids) => upper(data, data.task === "reverse" ? ids.slice().reverse() : ids);

/** What the page shows for valid letters: the data-result of the Python run(). */
const compute = (ex, letters) => {
  const { data } = ex;
  const ids = Array.from(letters).map((c) => data.letters.indexOf(c));
  const ref = reference(data, ids);
  const models = ex.models.map((model) => {
    const run = translateIds(model, ids, data.bos);
    const output = upper(data, run.ids);
    let right = 0;
    for (let i = 0; i < output.length; i++) {
      right += output[i] === ref[i] ? 1 : 0;
    }
    return {
      label: model.label,
      output,
      ids: run.ids,
      right,
      logits: run.logits,
      alignment: run.alignment,
    };
  });
  return { text: letters, reference: ref, models };
};

// ---------------------------------------------------------------- the view

// The view is built once per sentence length (buildView) and then filled in
// place for every translation (fillView): typing a letter that keeps the
// length rewrites text and colours, and does not rebuild the table.

// One line per model: its label, its translation letter by letter, its score.
const buildOutputs = (ex, n) => {
  ex.outputs.textContent = "";
  const refRow = el("div", "at-output-row at-reference");
  refRow.appendChild(el("span", "at-output-label", "reference"));
  const reference = el("span", "at-letters");
  refRow.appendChild(reference);
  ex.outputs.appendChild(refRow);
  const rows = ex.models.map((model) => {
    const row = el("div", "at-output-row");
    row.appendChild(el("span", "at-output-label", model.label));
    const letters = el("span", "at-letters");
    const spans = [];
    for (let i = 0; i < n; i++) {
      spans.push(letters.appendChild(el("span")));
    }
    row.appendChild(letters);
    const score = row.appendChild(el("span", "at-score"));
    ex.outputs.appendChild(row);
    return { row, spans, score };
  });
  return { reference, rows };
};

const fillOutputs = (view, result) => {
  const ref = result.reference;
  view.reference.textContent = ref;
  result.models.forEach((model, m) => {
    const { row, spans, score } = view.rows[m];
    spans.forEach((span, i) => {
      const letter = model.output[i];
      const ok = letter === ref[i];
      span.textContent = letter;
      span.className = ok ? "at-right" : "at-wrong";
      span.title = ok ? `step ${i + 1}: right` : `step ${i + 1}: wrong, the reference is ${ref[i]}`;
    });
    const n = spans.length;
    score.textContent = `${model.right}/${n} right`;
    row.setAttribute("aria-label", `${model.label}: ${model.output}, ${model.right} of ${n} right`);
  });
};

// The readout under a heatmap: which source letter output step `row` reads.
const readStep = (block, row, col) => {
  const { model, result } = block;
  const weights = model.alignment[row];
  const j = col === undefined ? engine.argmax(weights) : col;
  const what = col === undefined ? "looks most at" : "gives";
  const letter = model.output[row];
  block.readout.textContent =
    `Output step ${row + 1} (${letter}) ${what} source position ${j + 1} ` +
    `(${result.text[j]}): weight ${weights[j].toFixed(6)}.`;
};

const selectRow = (ex, block, row) => {
  block.row = row;
  ex.selected = row; // kept when the reader types on
  block.buttons.forEach((button, i) => {
    button.setAttribute("aria-pressed", String(i === row));
  });
  block.rows.forEach((tr, i) => {
    tr.classList.toggle("at-selected", i === row);
  });
  readStep(block, row);
};

// The alignment of one model with attention: output steps as rows, source letters as columns.
const buildHeatmap = (ex, model, n) => {
  const block = { model: null, result: null, buttons: [], rows: [], cols: [], cells: [] };
  block.row = 0;
  block.backgrounds = []; // the colour each cell shows, to skip unchanged ones
  const figure = el("div", "at-heatmap");
  figure.setAttribute("role", "group");
  const caption = el(
    "p",
    "at-caption",
    `Where each output step looks (${model.label}): rows are output steps, columns source ` +
      "positions. Choose a step to read its weights.",
  );
  caption.id = engine.idFor(ex, `caption${ex.heatmaps.childElementCount}`);
  figure.setAttribute("aria-labelledby", caption.id);
  figure.appendChild(caption);
  const wrap = el("div", "at-table-wrap");
  const table = el("table", "at-table");
  const head = el("tr");
  const corner = el("th", "at-corner", "step");
  corner.scope = "col";
  head.appendChild(corner);
  for (let j = 0; j < n; j++) {
    const th = el("th", "at-col");
    th.scope = "col";
    block.cols.push(head.appendChild(th));
  }
  const thead = el("thead");
  thead.appendChild(head);
  table.appendChild(thead);
  const body = el("tbody");
  for (let i = 0; i < n; i++) {
    const tr = el("tr");
    const th = el("th", "at-row");
    th.scope = "row";
    const button = engine.button("at-step");
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => selectRow(ex, block, i));
    th.appendChild(button);
    tr.appendChild(th);
    const cells = [];
    for (let j = 0; j < n; j++) {
      const td = el("td", "at-cell");
      td.dataset.row = String(i);
      td.dataset.col = String(j);
      td.addEventListener("mouseenter", () => readStep(block, i, j));
      td.addEventListener("click", () => selectRow(ex, block, i));
      cells.push(tr.appendChild(td));
    }
    tr.addEventListener("mouseleave", () => readStep(block, block.row));
    block.buttons.push(button);
    block.rows.push(tr);
    block.cells.push(cells);
    block.backgrounds.push(cells.map(() => ""));
    body.appendChild(tr);
  }
  table.appendChild(body);
  wrap.appendChild(table);
  figure.appendChild(wrap);
  block.readout = el("p", "at-readout");
  figure.appendChild(block.readout);
  ex.heatmaps.appendChild(figure);
  return block;
};

const fillHeatmap = (ex, block, model, result) => {
  block.model = model;
  block.result = result;
  Array.from(result.text).forEach((letter, j) => {
    block.cols[j].textContent = `${j + 1} ${letter}`;
  });
  Array.from(model.output).forEach((letter, i) => {
    block.buttons[i].textContent = `${i + 1} ${letter}`;
    block.buttons[i].setAttribute(
      "aria-label",
      `output step ${i + 1}, ${letter}: show where it looks`,
    );
    model.alignment[i].forEach((weight, j) => {
      const td = block.cells[i][j];
      const { bg: background, fg: text } = engine.colourOf(ex.palette, weight);
      // Only what changed: most cells keep their colour from one letter to the next.
      const shown = weight.toFixed(2);
      if (td.textContent !== shown) {
        td.textContent = shown;
      }
      if (block.backgrounds[i][j] !== background) {
        block.backgrounds[i][j] = background;
        td.style.background = background;
        td.style.color = text;
      }
      td.dataset.weight = String(weight);
    });
  });
  selectRow(ex, block, Math.min(ex.selected, model.output.length - 1));
};

/** Translate what the box holds, or say what is wrong with it and keep the last result. */
engine.render = (ex) => {
  const checked = checkSentence(ex.data, ex.input.value);
  if (checked.error) {
    ex.root.setAttribute("data-error", checked.error);
    engine.setMessage(
      ex,
      `${checked.error[0].toUpperCase()}${checked.error.slice(1)}. ` +
        `Still showing \u201c${ex.lastGood}\u201d.`,
      true,
    );
    return;
  }
  const result = compute(ex, checked.letters);
  const n = checked.letters.length;
  ex.lastGood = checked.letters;
  ex.root.setAttribute("data-error", "");
  engine.setMessage(ex, "", false);
  ex.input.setAttribute("aria-invalid", "false"); // said, not only left out
  if (!ex.view || ex.view.n !== n) {
    ex.heatmaps.textContent = "";
    ex.view = {
      n,
      outputs: buildOutputs(ex, n),
      heatmaps: ex.models
        .filter((model) => model.attention)
        .map((model) => buildHeatmap(ex, model, n)),
    };
  }
  fillOutputs(ex.view.outputs, result);
  result.models
    .filter((model) => model.alignment)
    .forEach((model, k) => {
      fillHeatmap(ex, ex.view.heatmaps[k], model, result);
    });
  // For tests and benchmarks: what was computed.
  ex.root.setAttribute("data-result", JSON.stringify(result));
};

/** Build one explorer inside ex.app: the sentence box, the examples, the outputs. */
engine.build = (ex) => {
  const { app, data } = ex;
  ex.models = data.models.map((m) => {
    const weights = {};
    for (const name of Object.keys(m.weights)) {
      weights[name] = decodeWeight(m.weights[name]);
    }
    return { label: m.label, attention: m.attention, weights };
  });
  ex.palette = engine.palette(data.colours);
  ex.selected = 0;
  ex.lastGood = data.default;

  const form = el("form", "at-form");
  form.setAttribute("novalidate", "");
  const label = el(
    "label",
    "at-label",
    `Source sentence (letters ${data.letters}, at most ${data.max_length}):`,
  );
  const input = engine.textBox("at-input", engine.idFor(ex, "input"));
  input.value = data.default;
  input.setAttribute("autocapitalize", "off");
  label.htmlFor = input.id;
  ex.input = input;
  const message = engine.messageLine(ex, "p");
  form.appendChild(label);
  form.appendChild(input);
  const examples = el("div", "at-examples");
  examples.appendChild(el("span", "at-examples-label", "Examples:"));
  for (const example of data.examples) {
    const button = engine.button("at-example", example);
    button.addEventListener("click", () => {
      input.value = example;
      engine.render(ex);
    });
    examples.appendChild(button);
  }
  form.appendChild(examples);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    engine.render(ex);
  });
  input.addEventListener("input", () => engine.render(ex));

  ex.message = message;
  ex.outputs = el("div", "at-outputs");
  ex.outputs.setAttribute("aria-label", "translations");
  ex.heatmaps = el("div", "at-heatmaps");
  app.appendChild(form);
  app.appendChild(message);
  app.appendChild(ex.outputs);
  app.appendChild(ex.heatmaps);
};
