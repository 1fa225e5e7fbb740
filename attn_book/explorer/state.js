// The explorer engine, part 1 of 6: the state of one explorer, the attention
// weights it shows and the colour of a weight. (attn_book/explorer/assets.py
// joins the parts, in order, inside one wrapper that defines `engine`.)

/** The first state of an explorer, from the defaults in its data. */
engine.initialState = (data) => {
  const d = data.defaults;
  const state = {
    sentence: d.sentence,
    active: [],
    heads: d.heads,
    head: d.head,
    mask: d.mask,
    queryPos: 0,
  };
  engine.resetTokens(data, state);
  return state;
};

/** Switch every token of the current sentence on and select the first one. */
engine.resetTokens = (data, state) => {
  state.active = data.sentences[state.sentence].tokens.map(() => true);
  state.queryPos = 0;
};

/**
 * One head's attention weights for a state, as attn_core.multi_head_attention
 * computes them: head h uses features h*dh .. (h+1)*dh-1, scores are scaled by
 * 1/sqrt(dh), masked scores are -Infinity before a stable softmax, and a row
 * with no allowed key is all zeros. The mask is attn_book.choices.mask_for_choice:
 * data.mask_rules says which masks a choice combines. The causal mask hides
 * later keys; the padding mask hides padding keys only, so a padding query row
 * still attends to the real keys (its output is discarded).
 *
 * Without a padding mask, switched-off tokens are left out of the sequence;
 * with one, they stay in it as padding.
 */
engine.compute = (data, state) => {
  const sent = data.sentences[state.sentence];
  const rule = data.mask_rules[state.mask];
  const positions = [];
  const real = [];
  sent.tokens.forEach((_token, p) => {
    if (rule.padding || state.active[p]) {
      positions.push(p);
      real.push(Boolean(state.active[p]));
    }
  });
  const n = positions.length;
  const d = data.d_model;
  const dh = d / state.heads;
  const c0 = state.head * dh;
  // Columns c0 .. c0+dh of X W: this head's queries or keys.
  const project = (W) =>
    positions.map((p) => {
      const row = sent.x[p];
      const out = [];
      for (let c = c0; c < c0 + dh; c++) {
        let s = 0;
        for (let t = 0; t < d; t++) {
          s += row[t] * W[t][c];
        }
        out.push(s);
      }
      return out;
    });
  const q = project(data.weights.w_q);
  const k = project(data.weights.w_k);
  const scale = 1 / Math.sqrt(dh);
  const weights = [];
  const allowed = [];
  for (let i = 0; i < n; i++) {
    const scores = [];
    const ok = [];
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      const may = !(rule.causal && j > i) && !(rule.padding && !real[j]);
      let s = 0;
      for (let t = 0; t < dh; t++) {
        s += q[i][t] * k[j][t];
      }
      s *= scale;
      ok.push(may);
      scores.push(may ? s : -Infinity);
      if (may && s > max) {
        max = s;
      }
    }
    // Stable softmax; a fully masked row gives zeros (as attn_core.softmax).
    const shift = max === -Infinity ? 0 : max;
    let total = 0;
    const exps = scores.map((v) => {
      const e = Math.exp(v - shift);
      total += e;
      return e;
    });
    weights.push(exps.map((e) => (total === 0 ? 0 : e / total)));
    allowed.push(ok);
  }
  return { positions, real, weights, allowed };
};

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

/** The palette entry of a weight from 0 to 1: the step attn_book.colors.ramp_index
 * (and matplotlib) gives it. */
engine.colourOf = (palette, w) =>
  palette[Math.min(Math.floor(Math.max(0, Math.min(1, w)) * palette.length), palette.length - 1)];
