// The explorer engine, part 1 of 7: the state of one explorer and the
// attention weights it shows. (attn_book/explorer/assets.py joins the parts,
// in order, after common.js, inside one wrapper that defines `engine`.)

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
    // The sentence the reader typed ({ text, tokens, x }); shown when
    // state.sentence === data.sentences.length.
    custom: null,
  };
  engine.resetTokens(data, state);
  return state;
};

/** The sentence shown: one of data.sentences, or the one the reader typed. */
engine.sentenceOf = (data, state) =>
  state.sentence < data.sentences.length ? data.sentences[state.sentence] : state.custom;

/** Switch every token of the current sentence on and select the first one. */
engine.resetTokens = (data, state) => {
  state.active = engine.sentenceOf(data, state).tokens.map(() => true);
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
  const sent = engine.sentenceOf(data, state);
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
      const out = new Float64Array(dh);
      for (let c = 0; c < dh; c++) {
        let s = 0;
        for (let t = 0; t < d; t++) {
          s += row[t] * W[t][c0 + c];
        }
        out[c] = s;
      }
      return out;
    });
  const q = project(data.weights.w_q);
  const k = project(data.weights.w_k);
  const scale = 1 / Math.sqrt(dh);
  const weights = [];
  const allowed = [];
  for (let i = 0; i < n; i++) {
    const ok = [];
    const row = new Array(n);
    const qi = q[i];
    for (let j = 0; j < n; j++) {
      const may = !(rule.causal && j > i) && !(rule.padding && !real[j]);
      let s = Number.NEGATIVE_INFINITY;
      if (may) {
        const kj = k[j];
        s = 0;
        for (let t = 0; t < dh; t++) {
          s += qi[t] * kj[t];
        }
        s *= scale;
      }
      ok.push(may);
      row[j] = s;
    }
    // A fully masked row gives zeros (as attn_core.softmax).
    weights.push(engine.softmax(row));
    allowed.push(ok);
  }
  return { positions, real, weights, allowed };
};
