(function () {
  "use strict";
  var engine = window.__attnExplorer;
  // A page (or a JupyterLab session) may hold an older engine; replace it.
  if (!engine || engine.version !== 2) {
    engine = window.__attnExplorer = { version: 2 };

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
      return { rgb: c, bg: "rgb(" + c.join(",") + ")", fg: light ? "#000" : "#fff" };
    };
    // 256 colour steps, computed once; step(w) is the index of weight w.
    var LUT = [];
    for (var look = 0; look < 256; look++) { LUT.push(colour(look / 255)); }
    var step = function (w) { return Math.round(Math.max(0, Math.min(1, w)) * 255); };
    // Sequences longer than this are drawn on a canvas (their cells are too small
    // for numbers); shorter ones are a table that shows each weight as text.
    var TABLE_MAX = 16;
    // Grey stripes, half transparent, so masked cells read on light and dark pages.
    var stripes = function (ctx) {
      if (!engine.stripeTile) {
        var tile = document.createElement("canvas");
        tile.width = 6; tile.height = 6;
        var t = tile.getContext("2d");
        t.fillStyle = "rgba(128, 128, 128, 0.25)";
        t.fillRect(0, 0, 6, 6);
        t.strokeStyle = "rgba(128, 128, 128, 0.6)";
        t.lineWidth = 1.5;
        t.beginPath();
        t.moveTo(-1, 7); t.lineTo(7, -1); t.moveTo(-1, 1); t.lineTo(1, -1);
        t.moveTo(5, 7); t.lineTo(7, 5);
        t.stroke();
        engine.stripeTile = tile;
      }
      return ctx.createPattern(engine.stripeTile, "repeat");
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

      // Elements are built once per sentence (token buttons; one query button,
      // key label and bar per token), per head count (head menu) and per view
      // (the canvas; the table for each set of positions), then updated in place:
      // switching a token off detaches its three elements, a change of head,
      // mask or query writes attributes and pixels only. Events are delegated
      // and read ``current``.
      var current = null, row = 0, view = null, pool = null, builtTokens = null;
      var builtHeads = null, hovered = null;

      var buildTokens = function (sent) {
        tokenRow.textContent = "";
        tokenRow.appendChild(el("span", "ae-tokens-label", "Tokens (click to switch off/on):"));
        builtTokens = { sentence: state.sentence, buttons: [] };
        sent.tokens.forEach(function (tok, p) {
          var b = el("button", "ae-token", tok);
          b.type = "button";
          b.setAttribute("data-index", String(p));
          tokenRow.appendChild(b);
          builtTokens.buttons.push(b);
        });
      };
      tokenRow.addEventListener("click", function (ev) {
        var b = ev.target.closest("button.ae-token");
        if (!b) { return; }
        var p = Number(b.getAttribute("data-index"));
        var on = state.active.filter(Boolean).length;
        if (state.active[p] && on === 1) {
          readout.textContent = "Keep at least one token switched on.";
          return;
        }
        state.active[p] = !state.active[p];
        render();
      });

      var buildHeads = function () {
        headSel.textContent = "";
        var dh = data.d_model / state.heads;
        for (var h = 0; h < state.heads; h++) {
          var opt = el("option", null, (h + 1) + " (features " + (h * dh) + "-" +
            ((h + 1) * dh - 1) + ")");
          opt.value = String(h);
          headSel.appendChild(opt);
        }
        builtHeads = state.heads;
      };

      var selectRow = function (i) {
        if (!current || i < 0 || i >= current.positions.length) { return; }
        state.queryPos = current.positions[i];
        render();
      };
      var showCell = function (i, j) {
        var masked = !current.allowed[i][j], w = current.weights[i][j];
        var text = "query \u201c" + current.labels[i] + "\u201d \u2192 key \u201c" +
          current.labels[j] + "\u201d: weight " + fmt(w) + (masked ? " (masked)" : "");
        readout.textContent = text;
        return text;
      };

      // One query button, key label and bar row per token of the sentence.
      var buildPool = function (sent) {
        pool = { sentence: state.sentence, queries: [], cols: [], bars: [], label: [],
          pressed: null };
        sent.tokens.forEach(function () {
          var qb = el("button", "ae-query");
          qb.type = "button";
          qb.setAttribute("aria-pressed", "false");
          qb.title = "show the weights of this query";
          pool.queries.push(qb);
          pool.cols.push(el("span", "ae-col"));
          var line = el("div", "ae-bar-row"), label = el("span", "ae-bar-label");
          var track = el("span", "ae-bar-track"), fill = el("span", "ae-bar-fill");
          var value = el("span", "ae-bar-value");
          track.appendChild(fill);
          line.appendChild(label);
          line.appendChild(track);
          line.appendChild(value);
          pool.bars.push({ line: line, label: label, fill: fill, value: value, text: null,
            width: null });
          pool.label.push(null);
        });
        bars.textContent = "";
        pool.barsTitle = el("div", "ae-bars-title");
        pool.barList = el("div", "ae-bar-list");
        bars.appendChild(pool.barsTitle);
        bars.appendChild(pool.barList);
        view = null;
      };
      // Labels, pad styling and row/column indices of the shown positions.
      var relabel = function (sent, result) {
        result.labels = result.positions.map(function (p, i) {
          var label = tokenText(sent, p, result.real[i]), index = String(i);
          var qb = pool.queries[p], bar = pool.bars[p];
          if (qb.getAttribute("data-row") !== index) {
            qb.setAttribute("data-row", index);
            bar.line.setAttribute("data-col", index);
          }
          if (pool.label[p] !== label) {
            pool.label[p] = label;
            var pad = result.real[i] ? "" : " ae-pad";
            qb.textContent = label;
            qb.className = "ae-query" + pad;
            pool.cols[p].textContent = label;
            pool.cols[p].className = "ae-col" + pad;
            bar.label.textContent = label;
            bar.label.className = "ae-bar-label" + pad;
          }
          return label;
        });
      };
      // Make parent's children exactly ``nodes`` with few DOM moves (a token
      // switched off or on removes or inserts one child).
      var sync = function (parent, nodes) {
        var keep = new Set(nodes), child = parent.firstChild, next;
        while (child) {
          next = child.nextSibling;
          if (!keep.has(child)) { parent.removeChild(child); }
          child = next;
        }
        child = parent.firstChild;
        nodes.forEach(function (node) {
          if (node === child) {
            child = child.nextSibling;
          } else {
            parent.insertBefore(node, child);
          }
        });
      };

      // Small sequences: a table whose cells show their weight as text.
      var buildTable = function (v, result) {
        var table = el("table", "ae-heatmap");
        table.setAttribute("aria-label", "attention weights, query rows by key columns");
        var thead = el("thead"), hr = el("tr");
        hr.appendChild(el("th", "ae-corner", "query \u2193 key \u2192"));
        result.labels.forEach(function (label, j) {
          var th = el("th", result.real[j] ? null : "ae-pad", label);
          th.scope = "col";
          hr.appendChild(th);
        });
        thead.appendChild(hr);
        table.appendChild(thead);
        var tbody = el("tbody");
        result.positions.forEach(function (p, i) {
          var tr = el("tr"), th = el("th");
          th.scope = "row";
          th.appendChild(pool.queries[p]);
          tr.appendChild(th);
          var cells = [];
          result.positions.forEach(function (_k, j) {
            var td = el("td", "ae-cell");
            td.setAttribute("data-row", String(i));
            td.setAttribute("data-col", String(j));
            tr.appendChild(td);
            cells.push(td);
          });
          tbody.appendChild(tr);
          v.rows.push(tr);
          v.cells.push(cells);
        });
        table.appendChild(tbody);
        table.addEventListener("mouseover", function (ev) {
          var td = ev.target.closest("td.ae-cell");
          if (!td || view !== v) { return; }
          // The tooltip is written when the pointer arrives, not on every update.
          td.title = showCell(Number(td.getAttribute("data-row")),
            Number(td.getAttribute("data-col")));
        });
        return table;
      };
      var updateTable = function (v, result) {
        result.weights.forEach(function (ws, i) {
          v.rows[i].className = i === row ? "ae-selected" : "";
          var cells = v.cells[i];
          ws.forEach(function (w, j) {
            var masked = !result.allowed[i][j], td = cells[j];
            td.setAttribute("data-weight", String(w));
            td.setAttribute("data-masked", masked ? "true" : "false");
            td.className = masked ? "ae-cell ae-masked" : "ae-cell";
            var c = masked ? null : LUT[step(w)];
            td.style.background = c ? c.bg : "";
            td.style.color = c ? c.fg : "";
            td.textContent = masked ? "\u00d7" : w.toFixed(2);
          });
        });
      };

      // Large sequences: the cells are pixels of a canvas (no numbers fit in
      // them anyway). Hover shows a cell's weight, a click selects its row, the
      // query buttons beside the canvas select rows from the keyboard, and the
      // bars list the selected row's weights as text.
      var CELL = 16;
      var buildCanvas = function (v) {
        var grid = el("div", "ae-grid");
        grid.setAttribute("role", "group");
        grid.setAttribute("aria-label", "attention weights, query rows by key columns " +
          "(hover a cell for its weight; the bars list the selected query's weights)");
        grid.appendChild(el("div", "ae-corner", "query \u2193 key \u2192"));
        v.cols = el("div", "ae-cols");
        grid.appendChild(v.cols);
        v.queryList = el("div", "ae-rows");
        grid.appendChild(v.queryList);
        var wrap = el("div", "ae-canvaswrap");
        var canvas = el("canvas", "ae-canvas");
        canvas.setAttribute("aria-hidden", "true");
        v.mark = el("div", "ae-rowmark");
        v.mark.style.height = CELL + "px";
        wrap.appendChild(canvas);
        wrap.appendChild(v.mark);
        grid.appendChild(wrap);
        v.canvas = canvas;
        v.ctx = canvas.getContext("2d");
        v.ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
        v.n = 0;
        var cellAt = function (ev) {
          var box = canvas.getBoundingClientRect(), n = v.n;
          var j = Math.floor((ev.clientX - box.left) / CELL);
          var i = Math.floor((ev.clientY - box.top) / CELL);
          return (i >= 0 && i < n && j >= 0 && j < n) ? [i, j] : null;
        };
        canvas.addEventListener("mousemove", function (ev) {
          var cell = cellAt(ev);
          if (!cell || view !== v) { return; }
          var key = cell[0] * v.n + cell[1];
          if (key === hovered) { return; }
          hovered = key;
          canvas.title = showCell(cell[0], cell[1]);
        });
        canvas.addEventListener("mouseleave", function () { hovered = null; });
        canvas.addEventListener("click", function (ev) {
          var cell = cellAt(ev);
          if (cell && view === v) { selectRow(cell[0]); }
        });
        return grid;
      };
      var resizeCanvas = function (v, n) {
        var canvas = v.canvas;
        canvas.width = n * CELL * v.ratio;
        canvas.height = n * CELL * v.ratio;
        canvas.style.width = (n * CELL) + "px";
        canvas.style.height = (n * CELL) + "px";
        canvas.setAttribute("data-cell", String(CELL * v.ratio));
        // One pixel per cell; scaled up without smoothing onto the canvas.
        v.pixels = el("canvas");
        v.pixels.width = n;
        v.pixels.height = n;
        v.pctx = v.pixels.getContext("2d");
        v.image = v.pctx.createImageData(n, n);
        v.n = n;
        hovered = null;
      };
      var updateCanvas = function (v, result) {
        var n = result.positions.length;
        sync(v.cols, result.positions.map(function (p) { return pool.cols[p]; }));
        sync(v.queryList, result.positions.map(function (p) { return pool.queries[p]; }));
        if (v.n !== n) { resizeCanvas(v, n); }
        var px = v.image.data, ctx = v.ctx, i, j, ok;
        for (i = 0; i < n; i++) {
          var ws = result.weights[i];
          ok = result.allowed[i];
          for (j = 0; j < n; j++) {
            var o = 4 * (i * n + j);
            if (ok[j]) {
              var rgb = LUT[step(ws[j])].rgb;
              px[o] = rgb[0]; px[o + 1] = rgb[1]; px[o + 2] = rgb[2]; px[o + 3] = 255;
            } else {
              px[o + 3] = 0;  // masked: transparent, striped below
            }
          }
        }
        v.pctx.putImageData(v.image, 0, 0);
        ctx.setTransform(v.ratio, 0, 0, v.ratio, 0, 0);
        ctx.clearRect(0, 0, n * CELL, n * CELL);
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(v.pixels, 0, 0, n * CELL, n * CELL);
        // Masked cells: grey stripes over the page background (either theme),
        // one rectangle per run of masked cells in a row.
        ctx.fillStyle = stripes(ctx);
        for (i = 0; i < n; i++) {
          ok = result.allowed[i];
          for (j = 0; j < n; j++) {
            if (ok[j]) { continue; }
            var start = j;
            while (j < n && !ok[j]) { j++; }
            ctx.fillRect(start * CELL, i * CELL, (j - start) * CELL, CELL);
          }
        }
        // A one-pixel gap between cells, as the table's cell borders.
        for (i = 1; i <= n; i++) {
          ctx.clearRect(i * CELL - 1, 0, 1, n * CELL);
          ctx.clearRect(0, i * CELL - 1, n * CELL, 1);
        }
        v.mark.style.transform = "translateY(" + (row * CELL) + "px)";
      };

      var buildView = function (result, key, mode) {
        var v = { key: key, mode: mode, rows: [], cells: [] };
        v.node = mode === "canvas" ? buildCanvas(v) : buildTable(v, result);
        v.node.addEventListener("click", function (ev) {
          var target = ev.target.closest("[data-row]");
          if (target && view === v) { selectRow(Number(target.getAttribute("data-row"))); }
        });
        heatWrap.textContent = "";
        heatWrap.appendChild(v.node);
        root.setAttribute("data-view", mode);
        hovered = null;
        return v;
      };

      var render = function () {
        var sent = data.sentences[state.sentence];
        var result = engine.compute(data, state);
        row = result.positions.indexOf(state.queryPos);
        if (row < 0) { row = 0; state.queryPos = result.positions[0]; }
        current = result;

        sentenceSel.value = String(state.sentence);
        headsSel.value = String(state.heads);
        if (builtHeads !== state.heads) { buildHeads(); }
        headSel.value = String(state.head);
        maskSel.value = state.mask;

        if (!builtTokens || builtTokens.sentence !== state.sentence) { buildTokens(sent); }
        builtTokens.buttons.forEach(function (b, p) {
          var pressed = state.active[p] ? "true" : "false";
          if (b.getAttribute("aria-pressed") !== pressed) {
            b.setAttribute("aria-pressed", pressed);
            b.title = state.active[p] ? "switch this token off" : "switch this token on";
          }
        });

        if (!pool || pool.sentence !== state.sentence) { buildPool(sent); }
        relabel(sent, result);
        var n = result.positions.length, mode = n > TABLE_MAX ? "canvas" : "table";
        var key = state.sentence + "|" + mode + (mode === "canvas" ? "" : "|" +
          result.positions.join(",") + "|" + result.real.join(","));
        if (!view || view.key !== key) { view = buildView(result, key, mode); }
        var pressed = pool.queries[result.positions[row]];
        if (pool.pressed !== pressed) {
          if (pool.pressed) { pool.pressed.setAttribute("aria-pressed", "false"); }
          pressed.setAttribute("aria-pressed", "true");
          pool.pressed = pressed;
        }
        if (view.mode === "canvas") {
          updateCanvas(view, result);
        } else {
          updateTable(view, result);
        }

        // Bars: the selected query's weights over the keys.
        sync(pool.barList, result.positions.map(function (p) { return pool.bars[p].line; }));
        pool.barsTitle.textContent = "Weights of query \u201c" + result.labels[row] +
          "\u201d (row " + (row + 1) + ")";
        var rowWeights = result.weights[row], sum = 0;
        result.positions.forEach(function (p, j) {
          var b = pool.bars[p];
          var w = rowWeights[j];
          sum += w;
          var width = (100 * w).toFixed(2) + "%";
          var text = result.allowed[row][j] ? w.toFixed(3) : "masked";
          if (width !== b.width) { b.fill.style.width = width; b.width = width; }
          if (text !== b.text) { b.value.textContent = text; b.text = text; }
        });
        readout.textContent = sum === 0
          ? "Every key of this query is masked: its weights are all zero."
          : "Row sum " + sum.toFixed(6) + (view.mode === "canvas"
            ? ". Hover a cell for its weight; click a cell or a query to select its row."
            : ". Hover a cell for its weight; click a row to select it.");
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
