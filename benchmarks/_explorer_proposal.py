"""A proposed change to the explorer's script, measured by bench_explorer.py.

The explorer (attn_core/_explorer_assets.py) rebuilds its whole heatmap table
on every change: n*n new cells, each with two event listeners and a title.
At 64 tokens that is 4096 cells per change, far over one frame. The proposal
keeps the table while the shown positions stay the same and updates its cells
in place, with one delegated click and mouseover listener on the table.
Attributes the tests read (data-row, data-col, data-weight, data-masked,
aria-pressed, title, classes) are kept.

``patched(js)`` applies it to the current script and returns None when the
script has changed so that the proposal no longer applies.
"""

from __future__ import annotations

# Inserted before ``var render = function () {``.
GRID_FUNCTION = r"""
      // The heatmap's elements for one set of positions; events are delegated to
      // the table and read the latest result (``current``).
      var grid = null, current = null, LUT = [];
      for (var look = 0; look < 256; look++) { LUT.push(colour(look / 255)); }
      var buildGrid = function (sent, result, key) {
        var g = { key: key, table: el("table", "ae-heatmap"), rows: [], queries: [],
          cells: [], labels: [], last: [] };
        g.table.setAttribute("aria-label", "attention weights, query rows by key columns");
        result.positions.forEach(function (p, j) {
          g.labels.push(tokenText(sent, p, result.real[j]));
        });
        var thead = el("thead"), hr = el("tr");
        hr.appendChild(el("th", "ae-corner", "query \u2193 key \u2192"));
        g.labels.forEach(function (label, j) {
          var th = el("th", result.real[j] ? null : "ae-pad", label);
          th.scope = "col";
          hr.appendChild(th);
        });
        thead.appendChild(hr);
        g.table.appendChild(thead);
        var tbody = el("tbody");
        g.labels.forEach(function (label, i) {
          var tr = el("tr"), th = el("th");
          th.scope = "row";
          var qb = el("button", "ae-query" + (result.real[i] ? "" : " ae-pad"), label);
          qb.type = "button";
          qb.setAttribute("data-row", String(i));
          qb.title = "show the weights of this query";
          th.appendChild(qb);
          tr.appendChild(th);
          var cells = [];
          g.labels.forEach(function (_k, j) {
            var td = el("td", "ae-cell");
            td.setAttribute("data-row", String(i));
            td.setAttribute("data-col", String(j));
            tr.appendChild(td);
            cells.push(td);
          });
          tbody.appendChild(tr);
          g.rows.push(tr);
          g.queries.push(qb);
          g.cells.push(cells);
          g.last.push(cells.map(function () { return null; }));
        });
        g.table.appendChild(tbody);
        g.table.addEventListener("click", function (ev) {
          var target = ev.target.closest("[data-row]");
          if (!target || grid !== g) { return; }
          state.queryPos = current.positions[Number(target.getAttribute("data-row"))];
          render();
        });
        g.table.addEventListener("mouseover", function (ev) {
          var td = ev.target.closest("td.ae-cell");
          if (!td || grid !== g) { return; }
          var i = Number(td.getAttribute("data-row")), j = Number(td.getAttribute("data-col"));
          var masked = !current.allowed[i][j];
          // The tooltip is written when the pointer arrives, not on every update.
          td.title = g.labels[i] + " \u2192 " + g.labels[j] + ": " +
            (masked ? "masked (0)" : fmt(current.weights[i][j]));
          readout.textContent = "query \u201c" + g.labels[i] + "\u201d \u2192 key \u201c" +
            g.labels[j] + "\u201d: weight " + fmt(current.weights[i][j]) +
            (masked ? " (masked)" : "");
        });
        return g;
      };

"""

# The heatmap block of render(), replaced.
OLD_HEATMAP = r"""
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
"""

NEW_HEATMAP = r"""
        // Heatmap: query rows x key columns. The table is built once per set of
        // positions and then updated in place (no new elements, no per-cell
        // listeners), so a change of head, heads, mask or query costs one pass
        // over the cells instead of rebuilding n*n elements.
        var key = state.sentence + "|" + result.positions.join(",") + "|" +
          result.real.join(",");
        if (!grid || grid.key !== key) {
          grid = buildGrid(sent, result, key);
          heatWrap.textContent = "";
          heatWrap.appendChild(grid.table);
        }
        current = result;
        var small = n > 16, cellClass = "ae-cell" + (small ? " ae-small" : "");
        result.weights.forEach(function (ws, i) {
          grid.rows[i].className = i === row ? "ae-selected" : "";
          grid.queries[i].setAttribute("aria-pressed", i === row ? "true" : "false");
          var cells = grid.cells[i], last = grid.last[i];
          ws.forEach(function (v, j) {
            var masked = !result.allowed[i][j], td = cells[j];
            td.setAttribute("data-weight", String(v));
            // Colours come from a 256-step table; a cell is written only when
            // its look changes (near-zero cells often keep theirs).
            var look = masked ? -1 : Math.round(Math.max(0, Math.min(1, v)) * 255);
            if (look === last[j]) { return; }
            last[j] = look;
            td.className = cellClass + (masked ? " ae-masked" : "");
            td.setAttribute("data-masked", masked ? "true" : "false");
            if (masked) {
              td.style.background = "";
              td.style.color = "";
            } else {
              td.style.background = LUT[look].bg;
              td.style.color = LUT[look].fg;
            }
            if (!small) { td.textContent = masked ? "\u00d7" : v.toFixed(2); }
          });
        });
"""

ANCHOR = "      var render = function () {\n"


def patched(js: str) -> str | None:
    """The explorer script with the proposal applied, or None if it does not apply."""
    old, new, grid = OLD_HEATMAP[1:], NEW_HEATMAP[1:], GRID_FUNCTION[1:]
    if old not in js or js.count(ANCHOR) != 1:
        return None
    js = js.replace(old, new)
    return js.replace(ANCHOR, grid + ANCHOR)
