// What every component that shows weights shares (after common.js): the
// colours of the book's weight ramp, a weight matrix painted into a canvas,
// and the softmax and argmax of attn_core and NumPy.

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
