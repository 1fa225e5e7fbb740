"""The CSS and JavaScript that attn_core.explorer inlines into every explorer.

Kept as Python strings (not package data files) so that any install of
attn_core, including ``pip install git+...`` in Colab, carries them.

The script is idempotent: it defines one engine on ``window`` and starts
every ``.attn-explorer`` element that has not started yet, reading that
element's own JSON data. Tokens are inserted with ``textContent`` only.
For tests, each root exposes ``data-state`` (sentence, active tokens, heads,
head, mask, selected query row, positions shown) and ``data-weights`` (the
matrix shown, full float precision); every heatmap cell has ``data-weight``.
"""

EXPLORER_CSS = r"""
.attn-explorer {
  --ae-fg: #1f2328; --ae-bg: #ffffff; --ae-panel: #f6f8fa; --ae-border: #c9d1d9;
  --ae-muted: #57606a; --ae-accent: #0a6ebd; --ae-bar: #0a6ebd;
  --ae-masked: #e6e8eb; --ae-masked-stripe: #c7ccd1; --ae-pad: #9a6700;
  color: var(--ae-fg); background: var(--ae-bg); border: 1px solid var(--ae-border);
  border-radius: 6px; padding: 0.75rem 1rem; margin: 0.5rem 0; font-size: 0.9rem;
  line-height: 1.35; max-width: 100%; overflow-x: auto; box-sizing: border-box;
}
html[data-theme="dark"] .attn-explorer,
body[data-jp-theme-light="false"] .attn-explorer {
  --ae-fg: #e6edf3; --ae-bg: #161b22; --ae-panel: #21262d; --ae-border: #3d444d;
  --ae-muted: #9da7b3; --ae-accent: #58a6ff; --ae-bar: #58a6ff;
  --ae-masked: #2b3038; --ae-masked-stripe: #3d444d; --ae-pad: #d29922;
}
.attn-explorer .ae-title { font-weight: 600; font-size: 1rem; margin-bottom: 0.5rem; }
.attn-explorer .ae-controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem;
  align-items: center; margin-bottom: 0.5rem; }
.attn-explorer label { display: inline-flex; gap: 0.35rem; align-items: center;
  color: var(--ae-muted); margin: 0; }
.attn-explorer select, .attn-explorer button {
  font: inherit; color: var(--ae-fg); background: var(--ae-panel);
  border: 1px solid var(--ae-border); border-radius: 4px; padding: 0.15rem 0.45rem;
  cursor: pointer; }
.attn-explorer select:focus-visible, .attn-explorer button:focus-visible {
  outline: 2px solid var(--ae-accent); outline-offset: 1px; }
.attn-explorer .ae-tokens { display: flex; flex-wrap: wrap; gap: 0.3rem;
  align-items: center; margin-bottom: 0.6rem; }
.attn-explorer .ae-tokens-label { color: var(--ae-muted); margin-right: 0.25rem; }
.attn-explorer button.ae-token[aria-pressed="true"] { border-color: var(--ae-accent);
  box-shadow: inset 0 -2px 0 var(--ae-accent); }
.attn-explorer button.ae-token[aria-pressed="false"] { opacity: 0.55;
  text-decoration: line-through; }
.attn-explorer .ae-main { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.attn-explorer table.ae-heatmap { border-collapse: collapse; margin: 0; }
/* JupyterLab and the book theme stripe table rows; the heatmap must not be striped. */
.attn-explorer table.ae-heatmap tr, .attn-explorer table.ae-heatmap th {
  background: transparent !important; }
.attn-explorer table.ae-heatmap th, .attn-explorer table.ae-heatmap td {
  border: 1px solid var(--ae-bg); padding: 0; text-align: center; }
.attn-explorer table.ae-heatmap thead th { font-weight: normal; color: var(--ae-muted);
  writing-mode: vertical-rl; transform: rotate(180deg); padding: 0.2rem 0;
  max-height: 7rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.attn-explorer table.ae-heatmap th.ae-corner { writing-mode: horizontal-tb;
  transform: none; font-size: 0.75rem; text-align: right; padding-right: 0.3rem; }
.attn-explorer table.ae-heatmap tbody th { text-align: right; padding-right: 0.2rem; }
.attn-explorer button.ae-query { background: transparent; border-color: transparent;
  padding: 0.05rem 0.3rem; max-width: 9rem; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.attn-explorer button.ae-query[aria-pressed="true"] { border-color: var(--ae-accent);
  font-weight: 600; }
.attn-explorer td.ae-cell { width: 2.4rem; height: 1.7rem; min-width: 2.4rem;
  font-size: 0.72rem; cursor: pointer; font-variant-numeric: tabular-nums; }
.attn-explorer td.ae-cell.ae-small { width: 1rem; min-width: 1rem; height: 1rem; }
.attn-explorer td.ae-cell.ae-masked { color: var(--ae-muted);
  background: repeating-linear-gradient(45deg, var(--ae-masked), var(--ae-masked) 4px,
  var(--ae-masked-stripe) 4px, var(--ae-masked-stripe) 6px) !important; }
.attn-explorer tr.ae-selected td.ae-cell { box-shadow: inset 0 2px 0 var(--ae-accent),
  inset 0 -2px 0 var(--ae-accent); }
.attn-explorer .ae-pad { color: var(--ae-pad); font-style: italic; }
.attn-explorer .ae-side { min-width: 14rem; flex: 1 1 16rem; }
.attn-explorer .ae-bars-title { font-weight: 600; margin-bottom: 0.3rem; }
.attn-explorer .ae-bar-row { display: grid; grid-template-columns: 6.5rem 1fr 4.2rem;
  gap: 0.4rem; align-items: center; margin: 0.1rem 0; }
.attn-explorer .ae-bar-label { text-align: right; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.attn-explorer .ae-bar-track { background: var(--ae-panel); height: 0.8rem;
  border-radius: 2px; overflow: hidden; }
.attn-explorer .ae-bar-fill { display: block; height: 100%; background: var(--ae-bar); }
.attn-explorer .ae-bar-value { font-variant-numeric: tabular-nums; font-size: 0.8rem;
  color: var(--ae-muted); }
.attn-explorer .ae-readout { min-height: 1.4rem; margin-top: 0.5rem; color: var(--ae-fg);
  font-variant-numeric: tabular-nums; }
.attn-explorer .ae-note { color: var(--ae-muted); font-size: 0.8rem; margin-top: 0.4rem; }
.attn-explorer table.ae-static-table { border-collapse: collapse; font-size: 0.75rem; }
.attn-explorer table.ae-static-table th, .attn-explorer table.ae-static-table td {
  padding: 0.15rem 0.3rem; border: 1px solid var(--ae-border); }
"""

EXPLORER_JS = r"""
(function () {
  "use strict";
  var engine = window.__attnExplorer;
  if (!engine) {
    engine = window.__attnExplorer = { version: 1 };

    var MASK_LABELS = {
      "none": "none",
      "causal": "causal",
      "padding": "padding (off = pad)",
      "causal+padding": "causal + padding"
    };
    var MASK_NOTES = {
      "none": "No mask: every switched-on token may attend to every other one.",
      "causal": "Causal mask: query i may attend to keys 0..i only (striped cells are masked).",
      "padding": "Padding mask: switched-off tokens stay in the sequence as padding. No query " +
        "may attend to a padding key, and a padding query row is fully masked, so its " +
        "weights are zeros.",
      "causal+padding": "Causal and padding masks combined with a logical and."
    };

    var el = function (tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      if (text !== undefined) { node.textContent = text; }
      return node;
    };

    // Viridis, 9 stops: readable on light and dark backgrounds.
    var VIRIDIS = [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
      [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];
    var colour = function (v) {
      var t = Math.max(0, Math.min(1, v)) * (VIRIDIS.length - 1);
      var i = Math.min(Math.floor(t), VIRIDIS.length - 2), f = t - i;
      var a = VIRIDIS[i], b = VIRIDIS[i + 1], c = [0, 1, 2].map(function (k) {
        return Math.round(a[k] + (b[k] - a[k]) * f);
      });
      var light = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] > 140;
      return { bg: "rgb(" + c.join(",") + ")", fg: light ? "#000" : "#fff" };
    };

    // The maths of attn_core.multi_head_attention for one head of one state.
    engine.compute = function (data, state) {
      var sent = data.sentences[state.sentence];
      var padding = state.mask.indexOf("padding") >= 0;
      var causal = state.mask.indexOf("causal") >= 0;
      var positions = [], real = [];
      sent.tokens.forEach(function (_t, p) {
        if (padding || state.active[p]) { positions.push(p); real.push(!!state.active[p]); }
      });
      var n = positions.length, d = data.d_model, dh = d / state.heads, c0 = state.head * dh;
      var w = data.weights;
      // Columns c0..c0+dh of X W: this head's queries and keys.
      var project = function (W) {
        return positions.map(function (p) {
          var row = sent.x[p], out = [];
          for (var c = c0; c < c0 + dh; c++) {
            var s = 0;
            for (var t = 0; t < d; t++) { s += row[t] * W[t][c]; }
            out.push(s);
          }
          return out;
        });
      };
      var q = project(w.w_q), k = project(w.w_k);
      var scale = 1 / Math.sqrt(dh);
      var weights = [], allowed = [];
      for (var i = 0; i < n; i++) {
        var scores = [], ok = [], max = -Infinity;
        for (var j = 0; j < n; j++) {
          var may = !(causal && j > i) && !(padding && !(real[i] && real[j]));
          var s = 0;
          for (var t = 0; t < dh; t++) { s += q[i][t] * k[j][t]; }
          s *= scale;
          ok.push(may); scores.push(may ? s : -Infinity);
          if (may && s > max) { max = s; }
        }
        // Stable softmax; a fully masked row gives zeros (as attn_core.softmax).
        var shift = max === -Infinity ? 0 : max, total = 0;
        var exps = scores.map(function (v) { var e = Math.exp(v - shift); total += e; return e; });
        weights.push(exps.map(function (e) { return total === 0 ? 0 : e / total; }));
        allowed.push(ok);
      }
      return { positions: positions, real: real, weights: weights, allowed: allowed };
    };

    engine.start = function (root) {
      if (root.getAttribute("data-ae-ready")) { return; }
      var source = root.querySelector("script.ae-data");
      var app = root.querySelector(".ae-app");
      if (!source || !app) { return; }
      root.setAttribute("data-ae-ready", "1");
      var data = JSON.parse(source.textContent);
      var uid = root.id || "attn-explorer";
      var d = data.defaults;
      var state = { sentence: d.sentence, active: null, heads: d.heads, head: d.head,
        mask: d.mask, queryPos: 0 };
      var resetActive = function () {
        state.active = data.sentences[state.sentence].tokens.map(function () { return true; });
        state.queryPos = 0;
      };
      resetActive();

      var labelled = function (text, control) {
        var label = el("label", null, text);
        label.appendChild(control);
        return label;
      };
      var select = function (cls, options) {
        var s = el("select", cls);
        options.forEach(function (o) {
          var opt = el("option", null, o[1]);
          opt.value = String(o[0]);
          s.appendChild(opt);
        });
        return s;
      };
      var controls = el("div", "ae-controls");
      var sentenceSel = select("ae-sentence", data.sentences.map(function (s, i) {
        return [i, s.label];
      }));
      var headsSel = select("ae-heads", data.head_options.map(function (h) { return [h, h]; }));
      var headSel = el("select", "ae-head");
      var maskSel = select("ae-mask", data.masks.map(function (m) {
        return [m, MASK_LABELS[m] || m];
      }));
      controls.appendChild(labelled("Sentence", sentenceSel));
      controls.appendChild(labelled("Heads h", headsSel));
      controls.appendChild(labelled("Head", headSel));
      controls.appendChild(labelled("Mask", maskSel));
      var tokenRow = el("div", "ae-tokens");
      var main = el("div", "ae-main");
      var heatWrap = el("div", "ae-heatwrap");
      var side = el("div", "ae-side");
      var bars = el("div", "ae-bars");
      var readout = el("div", "ae-readout");
      readout.setAttribute("aria-live", "polite");
      var note = el("div", "ae-note");
      side.appendChild(bars);
      side.appendChild(readout);
      main.appendChild(heatWrap);
      main.appendChild(side);
      app.textContent = "";
      app.appendChild(controls);
      app.appendChild(tokenRow);
      app.appendChild(main);
      app.appendChild(note);

      var fmt = function (v) { return v.toFixed(6); };
      var tokenText = function (sent, p, isReal) {
        return isReal ? sent.tokens[p] : sent.tokens[p] + " (pad)";
      };

      var render = function () {
        var sent = data.sentences[state.sentence];
        var result = engine.compute(data, state);
        var n = result.positions.length;
        var row = result.positions.indexOf(state.queryPos);
        if (row < 0) { row = 0; state.queryPos = result.positions[0]; }

        sentenceSel.value = String(state.sentence);
        headsSel.value = String(state.heads);
        headSel.textContent = "";
        for (var h = 0; h < state.heads; h++) {
          var dh = data.d_model / state.heads;
          var opt = el("option", null, (h + 1) + " (features " + (h * dh) + "-" +
            ((h + 1) * dh - 1) + ")");
          opt.value = String(h);
          headSel.appendChild(opt);
        }
        headSel.value = String(state.head);
        maskSel.value = state.mask;

        tokenRow.textContent = "";
        tokenRow.appendChild(el("span", "ae-tokens-label", "Tokens (click to switch off/on):"));
        sent.tokens.forEach(function (tok, p) {
          var b = el("button", "ae-token", tok);
          b.type = "button";
          b.setAttribute("data-index", String(p));
          b.setAttribute("aria-pressed", state.active[p] ? "true" : "false");
          b.title = state.active[p] ? "switch this token off" : "switch this token on";
          b.addEventListener("click", function () {
            var on = state.active.filter(Boolean).length;
            if (state.active[p] && on === 1) {
              readout.textContent = "Keep at least one token switched on.";
              return;
            }
            state.active[p] = !state.active[p];
            render();
          });
          tokenRow.appendChild(b);
        });

        // Heatmap: query rows x key columns.
        var table = el("table", "ae-heatmap");
        table.setAttribute("aria-label", "attention weights, query rows by key columns");
        var thead = el("thead"), hr = el("tr");
        hr.appendChild(el("th", "ae-corner", "query \u2193 key \u2192"));
        result.positions.forEach(function (p, j) {
          var th = el("th", result.real[j] ? null : "ae-pad", tokenText(sent, p, result.real[j]));
          th.scope = "col";
          hr.appendChild(th);
        });
        thead.appendChild(hr);
        table.appendChild(thead);
        var tbody = el("tbody");
        var small = n > 16;
        result.weights.forEach(function (ws, i) {
          var tr = el("tr", i === row ? "ae-selected" : null);
          var th = el("th");
          th.scope = "row";
          var qb = el("button", "ae-query" + (result.real[i] ? "" : " ae-pad"),
            tokenText(sent, result.positions[i], result.real[i]));
          qb.type = "button";
          qb.setAttribute("data-row", String(i));
          qb.setAttribute("aria-pressed", i === row ? "true" : "false");
          qb.title = "show the weights of this query";
          qb.addEventListener("click", function () {
            state.queryPos = result.positions[i];
            render();
          });
          th.appendChild(qb);
          tr.appendChild(th);
          ws.forEach(function (v, j) {
            var masked = !result.allowed[i][j];
            var td = el("td",
              "ae-cell" + (masked ? " ae-masked" : "") + (small ? " ae-small" : ""));
            td.setAttribute("data-row", String(i));
            td.setAttribute("data-col", String(j));
            td.setAttribute("data-weight", String(v));
            td.setAttribute("data-masked", masked ? "true" : "false");
            if (!masked) {
              var c = colour(v);
              td.style.background = c.bg;
              td.style.color = c.fg;
            }
            if (!small) { td.textContent = masked ? "\u00d7" : v.toFixed(2); }
            var q = tokenText(sent, result.positions[i], result.real[i]);
            var k = tokenText(sent, result.positions[j], result.real[j]);
            td.title = q + " \u2192 " + k + ": " + (masked ? "masked (0)" : fmt(v));
            td.addEventListener("mouseenter", function () {
              readout.textContent = "query \u201c" + q + "\u201d \u2192 key \u201c" + k +
                "\u201d: weight " + fmt(v) + (masked ? " (masked)" : "");
            });
            td.addEventListener("click", function () {
              state.queryPos = result.positions[i];
              render();
            });
            tr.appendChild(td);
          });
          tbody.appendChild(tr);
        });
        table.appendChild(tbody);
        heatWrap.textContent = "";
        heatWrap.appendChild(table);

        // Bars: the selected query's weights over the keys.
        bars.textContent = "";
        var qText = tokenText(sent, result.positions[row], result.real[row]);
        bars.appendChild(el("div", "ae-bars-title",
          "Weights of query \u201c" + qText + "\u201d (row " + (row + 1) + ")"));
        var rowWeights = result.weights[row];
        var sum = rowWeights.reduce(function (a, b) { return a + b; }, 0);
        result.positions.forEach(function (p, j) {
          var line = el("div", "ae-bar-row");
          line.setAttribute("data-col", String(j));
          line.appendChild(el("span", "ae-bar-label" + (result.real[j] ? "" : " ae-pad"),
            tokenText(sent, p, result.real[j])));
          var track = el("span", "ae-bar-track"), fill = el("span", "ae-bar-fill");
          fill.style.width = (100 * rowWeights[j]).toFixed(2) + "%";
          track.appendChild(fill);
          line.appendChild(track);
          line.appendChild(el("span", "ae-bar-value",
            result.allowed[row][j] ? rowWeights[j].toFixed(3) : "masked"));
          bars.appendChild(line);
        });
        readout.textContent = sum === 0
          ? "Every key of this query is masked: its weights are all zero."
          : "Row sum " + sum.toFixed(6) +
            ". Hover a cell for its weight; click a row to select it.";
        note.textContent = MASK_NOTES[state.mask] || "";

        root.setAttribute("data-state", JSON.stringify({
          sentence: state.sentence, active: state.active.slice(), heads: state.heads,
          head: state.head, mask: state.mask, query: row, positions: result.positions
        }));
        root.setAttribute("data-weights", JSON.stringify(result.weights));
      };

      sentenceSel.addEventListener("change", function () {
        state.sentence = Number(sentenceSel.value);
        resetActive();
        render();
      });
      headsSel.addEventListener("change", function () {
        state.heads = Number(headsSel.value);
        state.head = Math.min(state.head, state.heads - 1);
        render();
      });
      headSel.addEventListener("change", function () {
        state.head = Number(headSel.value);
        render();
      });
      maskSel.addEventListener("change", function () {
        state.mask = maskSel.value;
        render();
      });
      var fallback = root.querySelector(".ae-static");
      if (fallback) { fallback.parentNode.removeChild(fallback); }
      app.id = uid + "-app";
      render();
    };

    engine.startAll = function () {
      var roots = document.querySelectorAll(".attn-explorer");
      for (var i = 0; i < roots.length; i++) {
        try { engine.start(roots[i]); } catch (err) {
          roots[i].setAttribute("data-ae-error", String(err));
          throw err;
        }
      }
    };
  }
  engine.startAll();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", engine.startAll);
  }
})();
"""
