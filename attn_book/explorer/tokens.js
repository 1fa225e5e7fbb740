// The explorer engine, part 2 of 7: text -> tokens -> vectors, exactly as
// attn_book.tokens does it in Python (tokenize, dropped_note, embed), so a
// sentence the reader types gets the weights Python would give it.
//
// The page receives Python's own character sets in data.tokenizer
// (attn_book.tokens.browser_tokenizer): the browser's \p{L} follows its own
// Unicode version and its \s is not str.isspace. Known words come as a table;
// any other word gets its vector from word_uniforms (FNV-1a, then a Weyl
// sequence mixed by MurmurHash3's finaliser), with the float64 operations and
// the order of attn_book.tokens._unknown_word_vector: the same bits.

/** The tokenizer of an explorer's data (built once per data object). */
engine.tokenizer = (data) => {
  if (data._tokenizer) {
    return data._tokenizer;
  }
  const spec = data.tokenizer;
  // Runs of word characters: "gap-length" in hexadecimal, the gap counted
  // from the last code point of the run before.
  let last = 0;
  const runs = spec.word_ranges.split(",").map((part) => {
    const [gap, length] = part.split("-");
    const first = last + Number.parseInt(gap, 16);
    last = first + (length ? Number.parseInt(length, 16) : 0);
    const hex = (c) => `\\u{${c.toString(16)}}`;
    return first === last ? hex(first) : `${hex(first)}-${hex(last)}`;
  });
  const word = `[${runs.join("")}]`;
  data._tokenizer = {
    // tokenize's regex: letters and digits, apostrophes inside a word.
    words: new RegExp(`${word}+(?:'${word}+)*`, "gu"),
    spaces: new Set(spec.spaces),
    maxTokens: spec.max_tokens,
    known: new Map(Object.entries(spec.known)),
    identityStart: spec.identity_start,
    unknownFeature: spec.unknown_feature,
    identityRadius: spec.identity_radius,
    perCoordinate: spec.uniforms_per_coordinate,
    encoder: new TextEncoder(),
  };
  return data._tokenizer;
};

/** str.isspace for one character (a code point). */
engine.isSpace = (tok, ch) => tok.spaces.has(ch.codePointAt(0));

/** Python's text.strip() == "" (only str.isspace characters, or nothing). */
engine.isBlank = (tok, text) => {
  for (const ch of text) {
    if (!engine.isSpace(tok, ch)) {
      return false;
    }
  }
  return true;
};

/** attn_book.tokens.dropped_characters: what tokenize leaves out, each once, in order. */
engine.droppedCharacters = (tok, text) => {
  const seen = new Set();
  for (const ch of text.replace(tok.words, " ")) {
    if (!engine.isSpace(tok, ch)) {
      seen.add(ch);
    }
  }
  return Array.from(seen);
};

/** The characters as tokens.py's _quoted writes them: "a" "b". */
engine.quoted = (chars) => chars.map((ch) => `"${ch}"`).join(" ");

/**
 * attn_book.tokens.tokenize: { tokens } or { error } with Python's message.
 * Lengths count code points, as Python's len does.
 */
engine.tokenize = (tok, text, maxTokens = tok.maxTokens) => {
  if (engine.isBlank(tok, text)) {
    return { error: "text is empty; type a sentence such as 'the cat sat'" };
  }
  const tokens = Array.from(text.matchAll(tok.words), (m) => m[0].toLowerCase());
  if (tokens.length === 0) {
    return {
      error: `text has no words, only punctuation or symbols: ${engine.quoted(
        engine.droppedCharacters(tok, text),
      )}`,
    };
  }
  if (tokens.length > maxTokens) {
    return { error: `text has ${tokens.length} words; the limit is ${maxTokens}` };
  }
  return { tokens };
};

/** attn_book.tokens.dropped_note: one line saying what tokenize left out, or "". */
engine.droppedNote = (tok, text) => {
  const dropped = engine.droppedCharacters(tok, text);
  if (dropped.length === 0) {
    return "";
  }
  const note = `Not letters or digits, left out: ${engine.quoted(dropped)}`;
  const result = engine.tokenize(tok, text, Number.POSITIVE_INFINITY);
  if (result.error) {
    return note;
  }
  let shown = Array.from(result.tokens.join(" "));
  if (shown.length > 60) {
    shown = shown.slice(0, 57).concat(["..."]);
  }
  return `${note} (the words are: ${shown.join("")})`;
};

/** attn_book.tokens.word_hash: FNV-1a (32 bits) of the word's UTF-8 bytes. */
engine.wordHash = (tok, word) => {
  let h = 0x811c9dc5;
  for (const byte of tok.encoder.encode(word)) {
    h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  }
  return h;
};

/** attn_book.tokens.word_uniforms: count numbers k / 2**32 that belong to the word. */
engine.wordUniforms = (tok, word, count) => {
  let state = engine.wordHash(tok, word);
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    out[i] = z / 4294967296;
  }
  return out;
};

/** attn_book.tokens.word_vector: a known word's row of the table, or the rule for others. */
engine.wordVector = (tok, word, dModel) => {
  const lower = word.toLowerCase();
  const known = tok.known.get(lower);
  if (known) {
    return known;
  }
  const start = tok.identityStart;
  const per = tok.perCoordinate;
  const width = dModel - start;
  const u = engine.wordUniforms(tok, lower, per * width + start);
  let direction = [];
  for (let i = 0; i < width; i++) {
    let total = 0;
    for (let k = 0; k < per; k++) {
      total += u[per * i + k];
    }
    direction.push(total - per / 2);
  }
  let squares = 0;
  for (const value of direction) {
    squares += value * value;
  }
  let norm = Math.sqrt(squares);
  if (norm === 0) {
    direction = direction.map((_v, i) => (i === 0 ? 1 : 0));
    norm = 1;
  }
  const vector = [];
  for (let f = 0; f < start; f++) {
    vector.push(tok.unknownFeature * u[per * width + f]);
  }
  for (const value of direction) {
    vector.push((tok.identityRadius * value) / norm);
  }
  return vector;
};

/** attn_book.tokens.embed: one vector per token. */
engine.embed = (tok, tokens, dModel) => tokens.map((t) => engine.wordVector(tok, t, dModel));
