// What every view of the book shares: DOM helpers and controls, the colour
// ramp, the maths (softmax, matrix product, masked attention), the text rules
// of attn_book.tokens, one heatmap, the one wire format for arrays, and the
// static feed. A view is an ES module with render({ model, el }) (anywidget's
// contract); in a kernel, Python computes and the model syncs with it; online,
// mount() gives the view a model whose save_changes() runs the view's own
// compute(state, data) in the browser instead.

// ---------------------------------------------------------------- DOM

/** A new element: props are properties (className, id, type, ...) or attributes (aria-*, data-*). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.includes("-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined)); // strings become text
  return node;
}

/** Set an element's text only when it changes (a write costs a layout). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** A new SVG element with attributes (in style="...", the view's CSS variables work). */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  node.append(...children); // strings become text
  return node;
}

/** A token as a label: long words are cut, so one word cannot push a view aside. */
export function short(token, max = 12) {
  const chars = Array.from(token);
  return chars.length <= max ? token : `${chars.slice(0, max - 1).join("")}…`;
}

let counter = 0;
/** A page-unique id for a label to point at. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled control in a row of controls; keys typed in it stay out of JupyterLab's shortcuts. */
function labelled(text, control) {
  control.id = uid("attn-control");
  control.setAttribute("data-lm-suppress-shortcuts", "true");
  return el(
    "span",
    { className: "attn-control" },
    el("label", { htmlFor: control.id }, text),
    control,
  );
}

/** A menu of [value, label] pairs; onChange gets the chosen value (a number when the values are). */
export function select(text, options, onChange) {
  const menu = el("select");
  const wrap = labelled(text, menu);
  let offered = "";
  wrap.setOptions = (pairs) => {
    if (JSON.stringify(pairs) === offered) return; // rebuilding the options costs a layout
    offered = JSON.stringify(pairs);
    menu.replaceChildren(
      ...pairs.map(([value, label]) => el("option", { value: String(value) }, label)),
    );
  };
  wrap.setOptions(options);
  wrap.setValue = (value) => {
    menu.value = String(value);
  };
  menu.addEventListener("change", () => {
    const value = menu.value;
    onChange(Number.isNaN(Number(value)) || value === "" ? value : Number(value));
  });
  return wrap;
}

/** A one-line text box that answers on Enter and when it loses focus. */
export function textBox(text, onEnter, size = 40) {
  const box = el("input", {
    type: "text",
    size,
    autocomplete: "off",
    spellcheck: false,
    maxLength: 2000,
  });
  const wrap = labelled(text, box);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter") onEnter(box.value);
  });
  box.addEventListener("change", () => onEnter(box.value));
  wrap.box = box;
  return wrap;
}

/** A checkbox; onChange gets true or false. */
export function checkbox(text, onChange) {
  const box = el("input", { type: "checkbox" });
  const wrap = labelled(text, box);
  wrap.insertBefore(box, wrap.firstChild);
  box.addEventListener("change", () => onChange(box.checked));
  wrap.box = box;
  return wrap;
}

/** A slider from min to max; onChange gets the number. show(value, text) sets it and writes text beside it. */
export function slider(text, min, max, step, onChange) {
  const range = el("input", { type: "range", min, max, step });
  const wrap = labelled(text, range);
  const output = el("output", { "aria-hidden": "true" }); // the slider's aria-valuetext says it
  wrap.append(output);
  range.addEventListener("input", () => onChange(Number(range.value)));
  wrap.range = range;
  wrap.show = (value, shown = String(value)) => {
    range.value = String(value);
    range.setAttribute("aria-valuetext", shown);
    setText(output, shown);
  };
  return wrap;
}

/** The status line of a view: a message, or an error (the last good view stays below it). */
export function statusLine() {
  const line = el("p", { className: "attn-status", role: "status", "aria-live": "polite" });
  line.show = (text, isError = false) => {
    setText(line, text || "");
    line.classList.toggle("attn-error", Boolean(isError && text));
  };
  return line;
}

/** The root of a view: a group named by its title (shown unless a kernel's controls show it). */
export function frame(root, title, showTitle = true) {
  root.classList.add("attn-view", "tex2jax_ignore", "mathjax_ignore");
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", title);
  root.replaceChildren(showTitle ? el("div", { className: "attn-title" }, title) : "");
  return root;
}

/**
 * Draw now and on every change of the model; the root counts its draws in
 * data-draws (the browser tests and benchmarks wait on it).
 */
export function redrawOn(model, root, draw) {
  const drawAndCount = () => {
    draw();
    root.dataset.draws = String(Number(root.dataset.draws || 0) + 1);
  };
  model.on("change", drawAndCount);
  drawAndCount();
}

// ---------------------------------------------------------------- colours

/** The ramp step of a value from lo to hi: matplotlib's binning (attn_book.plots.ramp_index). */
function step(steps, value, lo = 0, hi = 1) {
  const t = (value - lo) / (hi - lo);
  return Math.min(Math.floor(Math.max(0, Math.min(1, t)) * steps), steps - 1);
}

/** The ramp colour of a value from lo to hi, and the colour of text written on it. */
export function colourOf(ramp, value, lo = 0, hi = 1) {
  const k = step(ramp.background.length, value, lo, hi);
  return { bg: ramp.background[k], fg: ramp.text[k] };
}

const words = new WeakMap();
/** The ramp's colours as opaque 32-bit pixels (ImageData's byte order), computed once. */
function rampWords(ramp) {
  if (!words.has(ramp)) {
    const bytes = new Uint8ClampedArray(4 * ramp.background.length);
    ramp.background.forEach((hex, k) => {
      for (let c = 0; c < 3; c++)
        bytes[4 * k + c] = Number.parseInt(hex.slice(1 + 2 * c, 3 + 2 * c), 16);
      bytes[4 * k + 3] = 255;
    });
    words.set(ramp, new Uint32Array(bytes.buffer));
  }
  return words.get(ramp);
}

// ---------------------------------------------------------------- maths

/** attn_core.softmax of one row, in place: -Infinity gets 0, a row of only -Infinity zeros. */
export function softmax(row) {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of row) if (value > max) max = value;
  const shift = max === Number.NEGATIVE_INFINITY ? 0 : max;
  let total = 0;
  for (let j = 0; j < row.length; j++) {
    row[j] = Math.exp(row[j] - shift);
    total += row[j];
  }
  for (let j = 0; j < row.length; j++) row[j] = total === 0 ? 0 : row[j] / total;
  return row;
}

/** a @ b for matrices as arrays of rows; columns [from, to) of b only, if given. */
export function matmul(a, b, from = 0, to = b[0].length) {
  return a.map((row) => {
    const out = new Float64Array(to - from);
    for (let k = 0; k < row.length; k++) {
      const x = row[k];
      const bk = b[k];
      for (let c = from; c < to; c++) out[c - from] += x * bk[c];
    }
    return out;
  });
}

/**
 * Scaled dot-product attention of one head, as attn_core: scores q k^T * scale,
 * -Infinity where allowed(i, j) is false, softmax, weights @ v.
 */
export function attend(q, k, v, scale, allowed = () => true) {
  const weights = q.map((qi, i) => {
    const row = new Float64Array(k.length);
    for (let j = 0; j < k.length; j++) {
      let dot = 0;
      for (let c = 0; c < qi.length; c++) dot += qi[c] * k[j][c];
      row[j] = allowed(i, j) ? dot * scale : Number.NEGATIVE_INFINITY;
    }
    return softmax(row);
  });
  return { weights, context: matmul(weights, v) };
}

/** numpy.argmax: the first of the largest values. */
export function argmax(values) {
  let best = 0;
  for (let j = 1; j < values.length; j++) if (values[j] > values[best]) best = j;
  return best;
}

// ---------------------------------------------------------------- text (attn_book.tokens)

// A word: letters, marks and digits, with apostrophes inside. The same
// expression is attn_book.tokens.WORD in Python.
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*/gu;

/** attn_book.tokens.tokenize: { tokens } or { error } in the reader's terms. */
export function tokenize(text, maxTokens) {
  const tokens = Array.from(text.matchAll(WORD), (m) => m[0].toLowerCase());
  if (tokens.length === 0) return { error: "Type a sentence with at least one word." };
  if (tokens.length > maxTokens) {
    return { error: `That is ${tokens.length} words; the limit is ${maxTokens}.` };
  }
  return { tokens };
}

const encoder = new TextEncoder();

/** attn_book.tokens.word_uniforms: FNV-1a of the UTF-8 bytes, then splitmix32, as k / 2**32. */
export function wordUniforms(word, count) {
  let state = 0x811c9dc5;
  for (const byte of encoder.encode(word)) state = Math.imul(state ^ byte, 0x01000193) >>> 0;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    out[i] = ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  }
  return out;
}

/**
 * attn_book.tokens.word_vector, with its float64 operations in its order (the
 * same bits): named features (1 for a known word's category, weak uniforms
 * otherwise), then a unit direction from sums of uniforms.
 */
export function wordVector(word, text) {
  const { d_model: dModel, features, per, weak, lexicon } = text;
  const width = dModel - features;
  const u = wordUniforms(word, per * width + features);
  const on = lexicon[word];
  const vector = [];
  for (let f = 0; f < features; f++) {
    vector.push(on === undefined ? weak * u[per * width + f] : on.includes(f) ? 1 : 0);
  }
  const direction = [];
  let squares = 0;
  for (let i = 0; i < width; i++) {
    let total = 0;
    for (let k = 0; k < per; k++) total += u[per * i + k];
    direction.push(total - per / 2);
  }
  for (const value of direction) squares += value * value;
  const norm = Math.sqrt(squares);
  for (let i = 0; i < width; i++) {
    vector.push(norm === 0 ? (i === 0 ? 1 : 0) : direction[i] / norm);
  }
  return vector;
}

// ---------------------------------------------------------------- arrays on the wire

/**
 * The one wire format: { dtype, shape, data }, data the little-endian bytes
 * (a DataView from the kernel, base64 in the page). Returns { shape, data }
 * with a typed array; a { shape, data } computed in the page passes through.
 */
export function array(wire) {
  if (!wire?.dtype) return wire;
  let bytes = wire.data;
  if (typeof bytes === "string") {
    const binary = atob(bytes);
    const buffer = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) buffer[i] = binary.charCodeAt(i);
    bytes = new DataView(buffer.buffer);
  }
  const Type = wire.dtype === "float32" ? Float32Array : Float64Array;
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { shape: wire.shape, data: new Type(copy) };
}

/** Rows of a 2-D array, or of the matrix at index i of a 3-D one, as typed-array views. */
export function rows(arr, i = 0) {
  const [r, c] = arr.shape.slice(-2);
  const offset = arr.shape.length === 3 ? i * r * c : 0;
  return Array.from({ length: r }, (_, k) =>
    arr.data.subarray(offset + k * c, offset + (k + 1) * c),
  );
}

/** An array computed in the page, from rows (or a list of matrices of rows). */
export function fromRows(matrix) {
  const mats =
    matrix.length && matrix[0].length && typeof matrix[0][0] !== "number" ? matrix : [matrix];
  const r = mats[0].length;
  const c = r ? mats[0][0].length : 0;
  const data = new Float64Array(mats.length * r * c);
  for (const [h, m] of mats.entries()) {
    for (const [i, row] of m.entries()) data.set(row, (h * r + i) * c);
  }
  return { shape: mats === matrix ? [mats.length, r, c] : [r, c], data };
}

// ---------------------------------------------------------------- one heatmap

/**
 * A heatmap on a canvas: row and column labels, one coloured cell per value
 * (written in the cell when it is large enough), masked cells left blank, an
 * outlined row, at most maxWidth pixels wide (else the view's width). onPick(i)
 * when a row is clicked or tapped; a cell's value is announced on hover. update({ values, rowLabels, colLabels, shown, selected, lo, hi }).
 */
export function heatmap(parent, ramp, onPick, maxWidth = Number.POSITIVE_INFINITY) {
  const canvas = el("canvas", { className: "attn-heatmap", role: "img" });
  const readout = el("p", { className: "attn-note", "aria-live": "polite" });
  parent.append(canvas, readout);
  let last = null;
  let font = "";
  let viewWidth = 0; // read once, then kept by the ResizeObserver below: a read costs a layout
  const measured = new Map();
  const geometry = () => {
    const { rowLabels, colLabels } = last;
    const ctx = canvas.getContext("2d");
    font ||= getComputedStyle(parent).fontFamily;
    ctx.font = `12px ${font}`;
    const widest = (labels) => {
      const key = ctx.font + labels.join("\u0000"); // the font too: a view drawn detached has none yet
      if (!measured.has(key)) {
        if (measured.size > 8) measured.clear();
        measured.set(key, Math.max(8, ...labels.map((t) => ctx.measureText(short(t)).width)));
      }
      return measured.get(key);
    };
    const view = parent.closest(".attn-view") || parent;
    viewWidth ||= view.clientWidth || 340;
    const available = Math.min(maxWidth, Math.max(120, viewWidth - 24));
    const left = widest(rowLabels) + 8;
    const top = widest(colLabels) * 0.75 + 12;
    const right = widest(colLabels) * 0.75;
    // Cells of at most 40 px, as wide as the view allows, and no taller in all than 640 px.
    // A small map (maxWidth given) keeps its size whatever n: resizing a canvas costs
    // a new backing store, and eight of them redraw on every change.
    if (maxWidth < Number.POSITIVE_INFINITY)
      return { ctx, font, left, top, right, cell: (maxWidth - left - right) / colLabels.length };
    const wide = Math.floor((available - left - right) / colLabels.length);
    const cell = Math.max(4, Math.min(40, wide, Math.floor(640 / rowLabels.length)));
    return { ctx, font, left, top, cell, right };
  };
  const cells = el("canvas"); // one pixel a cell, scaled up without smoothing
  let size = "";
  const draw = () => {
    const { values, rowLabels, colLabels, shown, selected, lo, hi, title } = last;
    const { ctx, font, left, top, cell, right } = geometry();
    const width = left + cell * colLabels.length + right;
    const height = top + cell * rowLabels.length + 4;
    const ratio = window.devicePixelRatio || 1;
    if (size !== `${width}x${height}x${ratio}`) {
      size = `${width}x${height}x${ratio}`; // a resize costs a layout: only when it changes
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const rows = values.length;
    const cols = colLabels.length;
    cells.width = cols;
    cells.height = rows;
    const image = cells.getContext("2d").createImageData(cols, rows);
    const pixels = new Uint32Array(image.data.buffer);
    const words = rampWords(ramp);
    values.forEach((row, i) => {
      for (let j = 0; j < cols; j++) {
        pixels[i * cols + j] =
          shown && !shown(i, j) ? 0 : words[step(words.length, row[j], lo, hi)];
      }
    });
    cells.getContext("2d").putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(cells, left, top, cols * cell, rows * cell);
    const ink = getComputedStyle(parent).color;
    ctx.font = `12px ${font}`;
    ctx.fillStyle = ink;
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    const every = Math.ceil(12 / cell); // label every k-th row/column when cells are small
    rowLabels.forEach((t, i) => {
      if (t && (i % every === 0 || i === selected)) {
        ctx.fillText(short(t), left - 4, top + (i + 0.5) * cell);
      }
    });
    // Column labels at 45 degrees: one rotation, each label moved along the rotated axes.
    ctx.textAlign = "left";
    ctx.save();
    ctx.translate(left, top - 4);
    ctx.rotate(-Math.PI / 4);
    const [cos, sin] = [Math.SQRT1_2, Math.SQRT1_2];
    colLabels.forEach((t, j) => {
      const x = (j + 0.5) * cell;
      if (t && j % every === 0) ctx.fillText(short(t), x * cos, x * sin);
    });
    ctx.restore();
    if (cell >= 28) {
      // Large cells: write each value, in the text colour of its background.
      ctx.textAlign = "center";
      ctx.font = `${Math.min(12, cell / 3)}px ${font}`;
      values.forEach((row, i) => {
        for (let j = 0; j < cols; j++) {
          if (shown && !shown(i, j)) continue;
          ctx.fillStyle = colourOf(ramp, row[j], lo, hi).fg;
          ctx.fillText(row[j].toFixed(2), left + (j + 0.5) * cell, top + (i + 0.5) * cell);
        }
      });
    }
    if (selected !== undefined && selected !== null) {
      ctx.strokeStyle = ink;
      ctx.lineWidth = 2;
      ctx.strokeRect(left - 1, top + selected * cell - 1, cell * cols + 2, cell + 2);
    }
    canvas.setAttribute("aria-label", title || "heatmap");
    last.box = { left, top, cell };
  };
  const cellAt = (event) => {
    const rect = canvas.getBoundingClientRect();
    const { left, top, cell } = last.box;
    const i = Math.floor((event.clientY - rect.top - top) / cell);
    const j = Math.floor((event.clientX - rect.left - left) / cell);
    return i >= 0 && i < last.rowLabels.length && j >= 0 && j < last.colLabels.length
      ? [i, j]
      : null;
  };
  const read = (event) => {
    const at = last && cellAt(event);
    if (!at) return null;
    const [i, j] = at;
    const value = last.shown && !last.shown(i, j) ? "masked" : last.values[i][j].toFixed(3);
    setText(readout, `${last.rowLabels[i] || i + 1} → ${last.colLabels[j] || j + 1}: ${value}`);
    return at;
  };
  // A click or a tap reads the cell (a phone cannot hover) and picks its row.
  canvas.addEventListener("click", (event) => {
    const at = read(event);
    if (at && onPick) onPick(at[0]);
  });
  canvas.addEventListener("mousemove", read);
  const hm = {
    canvas,
    update(next) {
      last = { ...last, ...next };
      draw();
    },
  };
  // A canvas keeps the ink it was drawn with: redraw when the reader switches the theme.
  onThemeChange(canvas, () => last && draw());
  // Redraw when the view's width changes (a phone turned, a JupyterLab panel resized).
  if (typeof ResizeObserver !== "undefined") {
    const view = parent.closest(".attn-view") || parent;
    new ResizeObserver(() => {
      const width = view.clientWidth;
      if (last && width !== viewWidth) {
        viewWidth = width;
        draw();
      }
    }).observe(view);
  }
  return hm;
}

// The canvases to redraw on a change of theme, held weakly: a view removed from the page
// (a cell run again in JupyterLab) is forgotten with its canvas.
const themed = new Set();
const redraws = new WeakMap();
let themeObserver = null;

/** Call ``redraw`` when the page's theme changes (the book's data-theme, JupyterLab's theme). */
function onThemeChange(canvas, redraw) {
  if (typeof MutationObserver === "undefined" || typeof WeakRef === "undefined") return;
  if (!themeObserver) {
    themeObserver = new MutationObserver(() => {
      for (const ref of themed) {
        const drawn = ref.deref();
        if (!drawn) themed.delete(ref);
        else if (drawn.isConnected) redraws.get(drawn)();
      }
    });
    const watched = { attributes: true, attributeFilter: ["data-theme", "data-jp-theme-light"] };
    themeObserver.observe(document.documentElement, watched);
    if (document.body) themeObserver.observe(document.body, watched);
  }
  themed.add(new WeakRef(canvas));
  redraws.set(canvas, redraw);
}

/** Bars of one row of weights: a label, a bar and the number for each key. */
export function bars(parent, caption) {
  const list = el("ol", { className: "attn-bars", "aria-label": caption });
  parent.append(list);
  return {
    update(labels, weights, shown = () => true) {
      while (list.children.length < labels.length) {
        list.append(el("li", {}, el("span"), el("span", { className: "attn-bar" }), el("span")));
      }
      while (list.children.length > labels.length) list.lastChild.remove();
      labels.forEach((label, j) => {
        const [name, bar, number] = list.children[j].children;
        setText(name, short(label));
        const w = shown(j) ? weights[j] : 0;
        bar.style.width = `${(100 * w).toFixed(1)}%`;
        setText(number, shown(j) ? w.toFixed(3) : "masked");
      });
    },
  };
}

// ---------------------------------------------------------------- the static feed

/**
 * Start a view (its module's namespace) in a page with no kernel: the JSON in
 * the root's <script type="application/json"> holds { state, data };
 * save_changes() runs the module's compute(state, data) and announces what
 * changed, as a kernel would, then the module's default export renders.
 */
export function mount(root, view) {
  if (root.dataset.started) return;
  root.dataset.started = "1";
  const { state, data } = JSON.parse(
    root.querySelector("script[type='application/json']").textContent,
  );
  const listeners = {};
  const changed = new Set();
  const model = {
    get: (key) => state[key],
    set: (key, value) => {
      state[key] = value;
      changed.add(key);
    },
    on: (event, callback) => {
      listeners[event] ||= [];
      listeners[event].push(callback);
    },
    off: () => {},
    send: () => {},
    save_changes: () => {
      for (const [key, value] of Object.entries(view.compute(state, data))) model.set(key, value);
      const keys = [...changed];
      changed.clear();
      for (const key of keys) for (const callback of listeners[`change:${key}`] || []) callback();
      for (const callback of listeners.change || []) callback();
    },
  };
  for (const [key, value] of Object.entries(view.compute(state, data))) state[key] = value;
  const target = el("div");
  root.replaceChildren(target);
  view.default.render({ model, el: target });
}
