'use strict';
/*
 * Typesets TeX as MathJax 3 CommonHTML at book build time, for
 * book/_ext/prerender_math.py. Pages then show finished math and load no
 * MathJax script; only a stylesheet and the MathJax fonts they use.
 *
 * Protocol: one JSON request per line on stdin, one JSON reply per line on
 * stdout.
 *   {"tex": "x^2", "display": false}  -> {"html": "<mjx-container ...>"}
 *                                        or {"error": "TeX error message"}
 *   {"css": true, "fontURL": "woff-v2"} -> {"css": "..."}: the stylesheet for
 *     every expression typeset since the last "css" request (then forgets them).
 *
 * em/ex: MathJax in the browser scales its fonts to the x-height of the text
 * around the formula; Chromium's default sans-serif here measures ex = 9 px at
 * em = 16 px (MathJax's font-size 127.3%), so that is the fixed scale used.
 */
const readline = require('readline');
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {CHTML} = require('mathjax-full/js/output/chtml.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
const {AssistiveMmlHandler} = require('mathjax-full/js/a11y/assistive-mml.js');
const {AllPackages} = require('mathjax-full/js/input/tex/AllPackages.js');

const EM = 16;
const EX = 9;
const CONTAINER_WIDTH = 80 * EM;
// Without these two packages an unknown macro or a TeX error throws, so the
// strict book build fails instead of publishing red error text.
const PACKAGES = AllPackages.filter((name) => name !== 'noerrors' && name !== 'noundefined');

const adaptor = liteAdaptor();
// Each formula also carries hidden MathML for screen readers, as MathJax's
// browser component (tex-chtml.js) adds by default.
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));

let chtml = null;
let doc = null;

function document() {
  if (doc === null) {
    chtml = new CHTML({fontURL: '@FONT_URL@', exFactor: EX / EM, adaptiveCSS: true});
    const tex = new TeX({
      packages: PACKAGES,
      formatError: (jax, err) => {
        throw err;
      },
    });
    doc = mathjax.document('', {InputJax: tex, OutputJax: chtml});
  }
  return doc;
}

function handle(request) {
  if (request.css) {
    const sheet = doc === null ? '' : adaptor.textContent(chtml.styleSheet(doc));
    doc = null;
    return {css: sheet.split('@FONT_URL@').join(request.fontURL)};
  }
  const node = document().convert(request.tex, {
    display: Boolean(request.display),
    em: EM,
    ex: EX,
    containerWidth: CONTAINER_WIDTH,
    // What the browser component computes from the measured ex: 127.3%.
    scale: EX / EM / chtml.font.params.x_height,
  });
  return {html: adaptor.outerHTML(node)};
}

const lines = readline.createInterface({input: process.stdin, terminal: false});
lines.on('line', (line) => {
  let reply;
  try {
    reply = handle(JSON.parse(line));
  } catch (err) {
    reply = {error: String((err && err.message) || err)};
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
});
