// What every engine starts with: DOM helpers, the colours of the weight ramp,
// a stable softmax and the start of every component on the page.
// attn_book/explorer/assets.py joins this part in front of each component's
// own parts inside one wrapper that defines `engine`, with the component's
// root class (engine.rootClass, e.g. "attn-explorer") and the prefix of its
// parts' classes (engine.prefix, e.g. "ae"). A component's parts add
// engine.build(ex), which builds it inside ex.app, and engine.render(ex),
// which shows its state (optional).

/** A new element with an optional class and text (set as text, never as HTML). */
engine.el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
};

/** A button that submits nothing (type "button"), with an optional class and text. */
engine.button = (className, text) => {
  const node = engine.el("button", className, text);
  node.type = "button";
  return node;
};

/** A one-line text box with an id, no autocomplete and no spell check. */
engine.textBox = (className, id) => {
  const box = engine.el("input", className);
  box.type = "text";
  box.id = id;
  box.setAttribute("autocomplete", "off");
  box.setAttribute("spellcheck", "false");
  return box;
};

/** A <select> offering [value, label] pairs. */
engine.select = (className, options) => {
  const menu = engine.el("select", className);
  for (const [value, label] of options) {
    const option = engine.el("option", null, label);
    option.value = String(value);
    menu.appendChild(option);
  }
  return menu;
};

/**
 * The line under ex.input, the component's text box, that says why its text
 * was refused (or notes what was left out): a live region the box points at.
 */
engine.messageLine = (ex, tag) => {
  const line = engine.el(tag, `${engine.prefix}-message`);
  line.id = engine.idFor(ex, "message");
  line.setAttribute("role", "status");
  line.setAttribute("aria-live", "polite");
  ex.input.setAttribute("aria-describedby", line.id);
  return line;
};

/** Write on the message line; an error is marked there and on the box (aria-invalid). */
engine.setMessage = (ex, text, isError) => {
  engine.setText(ex.message, text);
  ex.message.classList.toggle(`${engine.prefix}-error`, isError);
  if (isError) {
    ex.input.setAttribute("aria-invalid", "true");
  } else {
    ex.input.removeAttribute("aria-invalid");
  }
};

/** Set an element's text only when it changes (a write costs a layout). */
engine.setText = (node, text) => {
  if (node.textContent !== text) {
    node.textContent = text;
  }
};

/** A unique id for a part of one component (labels and descriptions point at it). */
engine.idFor = (ex, part) => `${ex.root.id || engine.rootClass}-${part}`;

/**
 * The weight ramp of attn_book.colors, sent in the data: one entry per step,
 * with its RGB bytes, its CSS colour and the colour of text written on it.
 */
engine.palette = (colours) =>
  colours.background.map((bg, i) => ({
    rgb: [1, 3, 5].map((k) => Number.parseInt(bg.slice(k, k + 2), 16)),
    bg,
    fg: colours.text[i],
  }));

/** The step of a weight from 0 to 1: attn_book.colors.ramp_index (and matplotlib). */
engine.stepOf = (steps, w) => Math.min(Math.floor(Math.max(0, Math.min(1, w)) * steps), steps - 1);

/** The palette entry of a weight from 0 to 1. */
engine.colourOf = (palette, w) => palette[engine.stepOf(palette.length, w)];

/** The 32-bit ImageData pixel of an opaque RGB colour. */
engine.pixelWord = (rgb) =>
  new Uint32Array(new Uint8ClampedArray([rgb[0], rgb[1], rgb[2], 255]).buffer)[0];

/** The pixel of each palette step. */
engine.pixelWords = (palette) => Uint32Array.from(palette, (entry) => engine.pixelWord(entry.rgb));

/**
 * Paint an n x n matrix of weights into an n x n ImageData, one pixel a
 * weight: the pixel (of engine.pixelWords) of its ramp step where shown(i, j),
 * the pixel `masked` (0: transparent) elsewhere. A canvas scales it up.
 */
engine.paintWeights = (image, words, weights, shown, masked) => {
  const pixels = new Uint32Array(image.data.buffer);
  const n = weights.length;
  for (let i = 0; i < n; i++) {
    const row = weights[i];
    for (let j = 0; j < n; j++) {
      pixels[i * n + j] = shown(i, j) ? words[engine.stepOf(words.length, row[j])] : masked;
    }
  }
};

/** The (row, column) cell under a mouse event on the canvas of an n x n matrix, or null. */
engine.cellAt = (canvas, n, event) => {
  const box = canvas.getBoundingClientRect();
  const i = Math.floor(((event.clientY - box.top) / box.height) * n);
  const j = Math.floor(((event.clientX - box.left) / box.width) * n);
  return i >= 0 && i < n && j >= 0 && j < n ? [i, j] : null;
};

/**
 * attn_core.softmax of one row, in place: shift by the largest value,
 * exponentiate, divide by the sum. -Infinity entries (masked) get 0, and a row
 * with nothing but -Infinity gives zeros, never NaN.
 */
engine.softmax = (row) => {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of row) {
    if (value > max) {
      max = value;
    }
  }
  const shift = max === Number.NEGATIVE_INFINITY ? 0 : max;
  let total = 0;
  for (let j = 0; j < row.length; j++) {
    row[j] = Math.exp(row[j] - shift);
    total += row[j];
  }
  for (let j = 0; j < row.length; j++) {
    row[j] = total === 0 ? 0 : row[j] / total;
  }
  return row;
};

/** numpy.argmax: the index of the first of the largest values. */
engine.argmax = (values) => {
  let best = 0;
  for (let j = 1; j < values.length; j++) {
    if (values[j] > values[best]) {
      best = j;
    }
  }
  return best;
};

/**
 * Start one component: read its data, build it, replace the static fallback
 * (what a page without JavaScript shows) and show its first state.
 */
engine.start = (root) => {
  const p = engine.prefix;
  if (root.getAttribute(`data-${p}-ready`)) {
    return;
  }
  const source = root.querySelector(`script.${p}-data`);
  const app = root.querySelector(`.${p}-app`);
  if (!source || !app) {
    return;
  }
  root.setAttribute(`data-${p}-ready`, "1");
  const ex = { root, app, data: JSON.parse(source.textContent) };
  engine.build(ex);
  const fallback = root.querySelector(`.${p}-static`);
  if (fallback) {
    fallback.parentNode.removeChild(fallback);
  }
  if (engine.render) {
    engine.render(ex);
  }
};

/** Start every component of this kind on the page that has not started yet. */
engine.startAll = () => {
  for (const root of document.querySelectorAll(`.${engine.rootClass}`)) {
    try {
      engine.start(root);
    } catch (err) {
      root.setAttribute(`data-${engine.prefix}-error`, String(err));
      throw err;
    }
  }
};
