// Chapter 1's translator: both trained encoder-decoders translate the reader's
// sentence (the reversal task), each translation shown against the reference,
// and the alignment of the model with attention as a heatmap. In a kernel,
// attn_book.views.translator computes with attn_book.seq2seq; online, compute()
// runs the same forward pass here, on the weights exported at build time.
import * as core from "./core.js";

export { mount } from "./core.js";

/** attn_book.views.translator.read_sentence: { sentence } or { error }, by the same rule. */
function readSentence(text, letters, maxLength) {
  const chars = Array.from(text.replaceAll(" ", "")); // code points, as Python counts
  const alphabet = `the letters ${letters[0]} to ${letters.at(-1)}`;
  if (chars.length === 0) return { error: `Type a sentence of ${alphabet}.` };
  const known = new Set(letters);
  const unknown = [...new Set(chars.filter((c) => !known.has(c.toLowerCase())))];
  if (unknown.length) {
    const named = unknown.slice(0, 5).map((c) => `“${c}”`);
    const more = unknown.length > 5 ? " and more" : "";
    return { error: `Not in the vocabulary: ${named.join(", ")}${more}. Use ${alphabet}.` };
  }
  if (chars.length > maxLength) {
    return { error: `${chars.length} letters are too many: the models read at most ${maxLength}.` };
  }
  return { sentence: chars.join("").toLowerCase() };
}

/** attn_book.rnn.rnn_step, tanh(inputs + h W_h): the one step of the encoder and the decoder. */
function rnnStep(h, inputs, wh) {
  const out = core.matmul([h], wh)[0];
  for (let i = 0; i < out.length; i++) out[i] = Math.tanh(inputs[i] + out[i]);
  return out;
}

/** x W for a row vector x, then each of the rest added, in NumPy's order (x W + b + ...). */
function affine(x, w, ...rest) {
  const out = core.matmul([x], w)[0];
  for (const add of rest) for (let i = 0; i < out.length; i++) out[i] += add[i];
  return out;
}

const concat = (a, b) => Float64Array.of(...a, ...b);

const decoded = new WeakMap(); // a model's weights, decoded once per page

/** A model's weights: vectors, matrices as rows, the encoder's as [direction 0, direction 1]. */
function weightsOf(model) {
  if (!decoded.has(model)) {
    const w = {};
    for (const [name, wire] of Object.entries(model.weights)) {
      const a = core.array(wire);
      const dims = a.shape.length;
      w[name] =
        dims === 1 ? a.data : dims === 2 ? core.rows(a) : [0, 1].map((k) => core.rows(a, k));
    }
    decoded.set(model, w);
  }
  return decoded.get(model);
}

/** attn_book.seq2seq.forward, greedy, for one sentence of ids: { ids, alignment or null }. */
function translateIds(w, ids, bos) {
  const n = ids.length;
  // The encoder: direction 0 reads the sentence, direction 1 reads it reversed.
  const states = [ids, [...ids].reverse()].map((order, k) => {
    let h = new Float64Array(w.enc_wh[k].length);
    return order.map((id) => {
      h = rnnStep(h, affine(w.enc_emb[id], w.enc_wx[k], w.enc_b[k]), w.enc_wh[k]);
      return h;
    });
  });
  // Annotation h_j = [forward h_j ; backward h_j]; the summary: both final states.
  const annotations = ids.map((_id, j) => concat(states[0][j], states[1][n - 1 - j]));
  const summary = concat(states[0][n - 1], states[1][n - 1]);
  let s = affine(summary, w.init_w, w.init_b).map(Math.tanh); // s_0
  const keys = w.att_va ? core.matmul(annotations, w.att_wk) : null;
  const out = [];
  const alignment = w.att_va ? [] : null;
  let word = bos;
  for (let i = 0; i < n; i++) {
    const y = w.dec_emb[word];
    let context = summary;
    if (keys) {
      // e_j = v_a . tanh(s_{i-1} W_q + h_j W_k); alpha = softmax(e); c_i = alpha @ h.
      const query = affine(s, w.att_wq);
      const scores = keys.map((key) => {
        let e = 0;
        for (let a = 0; a < key.length; a++) e += Math.tanh(query[a] + key[a]) * w.att_va[a];
        return e;
      });
      const alpha = core.softmax(scores);
      context = core.matmul([alpha], annotations)[0];
      alignment.push(alpha);
    }
    s = rnnStep(s, affine(y, w.dec_wy, w.dec_b, affine(context, w.dec_wc)), w.dec_ws);
    const logits = affine(s, w.out_ws, affine(context, w.out_wc), affine(y, w.out_wy), w.out_b);
    word = core.argmax(logits);
    out.push(word);
  }
  return { ids: out, alignment };
}

/** The outputs for one state, as attn_book.views.translator computes them in Python. */
export function compute(state, data) {
  const checked = readSentence(state.text, state.letters, state.max_length);
  const error = checked.error || "";
  const sentence = error ? state.sentence : checked.sentence;
  const ids = Array.from(sentence, (c) => state.letters.indexOf(c));
  const spell = (list) => list.map((i) => state.letters[i].toUpperCase()).join("");
  const translations = data.models.map((model) => {
    const run = translateIds(weightsOf(model), ids, state.letters.length);
    const alignment = run.alignment && core.fromRows(run.alignment);
    return { label: model.label, output: spell(run.ids), alignment };
  });
  const step = Math.min(state.step, ids.length - 1);
  return { sentence, reference: spell([...ids].reverse()), translations, step, error };
}

/** The view, in either feed. */
function render({ model, el }) {
  const get = (key) => model.get(key);
  const root = core.frame(el, get("title"), !get("kernel_controls"));
  const change = (key, value) => {
    model.set(key, value);
    model.save_changes();
  };
  let box = null;
  // The text box and the examples: drawn here only in a page with no kernel.
  if (!get("kernel_controls")) {
    const [letters, most] = [get("letters"), get("max_length")];
    const what = `Sentence (letters ${letters[0]} to ${letters.at(-1)}, at most ${most})`;
    box = core.textBox(what, (text) => change("text", text), 14).box;
    box.value = get("text");
    box.autocapitalize = "off"; // a phone's capital first letter would be read as small anyway
    box.addEventListener("input", () => change("text", box.value));
    const examples = get("examples").map((text) => {
      const button = core.el("button", { type: "button" }, text);
      button.addEventListener("click", () => {
        box.value = text;
        change("text", text);
      });
      return button;
    });
    const row = core.el("span", { className: "attn-control" }, "Examples:", ...examples);
    root.append(core.el("div", { className: "attn-controls" }, box.parentNode, row));
  }
  const status = core.statusLine();
  const table = core.el("table", { className: "attn-table" });
  root.append(status, table);
  // The first model with attention: its alignment, a row per output step, a column per source word.
  const attentive = get("translations").find((t) => t.alignment);
  const caption = core.el("p", { className: "attn-note" });
  if (attentive) root.append(caption);
  const map = attentive && core.heatmap(root, get("ramp"), (i) => change("step", i));
  const stepMenu = core.select("Output step", [], (i) => change("step", i));
  const reading = core.el("span");
  if (attentive) root.append(core.el("div", { className: "attn-controls" }, stepMenu, reading));

  const draw = () => {
    const [sentence, reference, error] = [get("sentence"), get("reference"), get("error")];
    const step = Math.min(get("step"), sentence.length - 1);
    status.show(error && `${error} Still showing “${sentence}”.`, Boolean(error));
    box?.setAttribute("aria-invalid", String(Boolean(error)));
    // A line each: the source, the reference, each model's output (wrong letters marked).
    const line = (label, letters, ...rest) => {
      const spelled = core.el("span", { className: "attn-letters" }, ...letters);
      const head = core.el("th", { scope: "row" }, label);
      return core.el("tr", {}, head, core.el("td", {}, spelled), ...rest);
    };
    const lines = [line("source", [sentence]), line("reference", [reference])];
    const translations = get("translations");
    for (const { label, output } of translations) {
      const marked = Array.from(output, (c, i) =>
        c === reference[i] ? c : core.el("span", { className: "attn-wrong", title: "wrong" }, c),
      );
      const right = marked.filter((m) => typeof m === "string").length;
      lines.push(line(label, marked, core.el("td", {}, `${right}/${sentence.length} right`)));
    }
    table.replaceChildren(...lines);
    const t = translations.find((m) => m.alignment);
    if (!t) return;
    const values = core.rows(core.array(t.alignment));
    const look = core.argmax(values[step]);
    core.setText(
      caption,
      `Where each output step of the model ${t.label} looks: a row per output step, a column per source word. Click a row, or choose a step below.`,
    );
    map.update({
      values,
      rowLabels: Array.from(t.output, (c, i) => `${i + 1} ${c}`),
      colLabels: Array.from(sentence, (c, j) => `${j + 1} ${c}`),
      selected: step,
      title: `Alignment of the model ${t.label} for “${sentence}”, output step ${step + 1} outlined`,
    });
    stepMenu.setOptions(Array.from(sentence, (_c, i) => [i, String(i + 1)]));
    stepMenu.setValue(step);
    const weight = values[step][look].toFixed(3);
    core.setText(
      reading,
      `writes ${t.output[step]}, looking most at source word ${look + 1} (${sentence[look]}): weight ${weight}.`,
    );
  };
  core.redrawOn(model, root, draw);
}

export default { render };
