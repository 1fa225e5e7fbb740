(function () {
  "use strict";
  // One engine per page (a JupyterLab session may hold an older one: replace it).
  var engine = window.__attnQuestion;
  if (!engine || engine.version !== 1) {
    engine = window.__attnQuestion = { version: 1 };

    var el = function (tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      if (text !== undefined) { node.textContent = text; }
      return node;
    };

    // What the reader typed, shortened for a verdict (always inserted as text).
    var quote = function (text) {
      var t = String(text).trim();
      return "\u201c" + (t.length > 40 ? t.slice(0, 37) + "..." : t) + "\u201d";
    };

    // A number as a reader may type it: 0.25, .25, -3, 1e-3, 0,25 or 1/4.
    engine.parseNumber = function (text) {
      var t = String(text).trim().replace(/\u2212/g, "-");
      if (/^[+-]?\d+,\d+$/.test(t)) { t = t.replace(",", "."); }
      var frac = /^([+-]?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(t);
      if (frac) {
        var den = Number(frac[2]);
        return den === 0 ? NaN : Number(frac[1]) / den;
      }
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) { return NaN; }
      return Number(t);
    };

    // The verdict for one reply: {verdict, text}. verdict is "right", "wrong",
    // "invalid" (not a number) or "empty" (nothing given yet).
    engine.judge = function (data, reply) {
      var answer = data.answer_text + (data.unit ? " " + data.unit : "");
      if (data.kind === "choice") {
        if (reply === null || reply === undefined) {
          return { verdict: "empty", text: "Pick an option first." };
        }
        if (reply === data.answer) {
          return { verdict: "right", text: "\u2713 Right: the answer is " + answer + "." };
        }
        return { verdict: "wrong", text: "\u2717 Not quite: " + quote(data.options[reply]) +
          " is not it. Try again, or show the answer." };
      }
      if (String(reply).trim() === "") {
        return { verdict: "empty", text: "Type a number first." };
      }
      var x = engine.parseNumber(reply);
      if (!isFinite(x)) {
        return { verdict: "invalid", text: quote(reply) +
          " is not a number. Type a number such as 0.25 or 1/4." };
      }
      var slack = 1e-9 * Math.max(1, Math.abs(data.answer));
      if (Math.abs(x - data.answer) <= data.tolerance + slack) {
        return { verdict: "right", text: "\u2713 Right: the answer is " + answer + "." };
      }
      return { verdict: "wrong", text: "\u2717 Not quite: " + quote(reply) + " is too " +
        (x > data.answer ? "high" : "low") + ". Try again, or show the answer." };
    };

    engine.start = function (root) {
      if (root.getAttribute("data-aq-ready")) { return; }
      var source = root.querySelector("script.aq-data");
      var app = root.querySelector(".aq-app");
      if (!source || !app) { return; }
      root.setAttribute("data-aq-ready", "1");
      var data = JSON.parse(source.textContent);
      var uid = root.id || "attn-question";
      var promptId = uid + "-prompt";

      var form = el("form", "aq-form");
      form.setAttribute("novalidate", "");
      var input = null, radios = [];
      if (data.kind === "choice") {
        var group = el("fieldset", "aq-options");
        group.setAttribute("aria-labelledby", promptId);
        data.options.forEach(function (text, i) {
          var label = el("label", "aq-option");
          var radio = el("input");
          radio.type = "radio";
          radio.name = uid + "-choice";
          radio.value = String(i);
          radio.id = uid + "-option" + i;
          label.htmlFor = radio.id;
          label.appendChild(radio);
          label.appendChild(el("span", "aq-option-text", text));
          group.appendChild(label);
          radios.push(radio);
        });
        form.appendChild(group);
      } else {
        var row = el("div", "aq-row");
        input = el("input", "aq-input");
        input.type = "text";
        input.id = uid + "-input";
        input.setAttribute("inputmode", "decimal");
        input.setAttribute("autocomplete", "off");
        input.setAttribute("spellcheck", "false");
        input.setAttribute("aria-labelledby", promptId);
        row.appendChild(input);
        if (data.unit) { row.appendChild(el("span", "aq-unit", data.unit)); }
        form.appendChild(row);
      }
      // A number's buttons sit beside its box; an option list's below the options.
      var buttons = input ? form.querySelector(".aq-row") : el("div", "aq-buttons");
      var checkButton = el("button", "aq-check", "Check");
      checkButton.type = "submit";
      var reveal = el("button", "aq-reveal", "Show the answer");
      reveal.type = "button";
      buttons.appendChild(checkButton);
      buttons.appendChild(reveal);
      if (!input) { form.appendChild(buttons); }

      var verdict = el("p", "aq-verdict");
      verdict.id = uid + "-verdict";
      verdict.setAttribute("role", "status");
      verdict.setAttribute("aria-live", "polite");
      var explanation = el("p", "aq-explanation");
      explanation.id = uid + "-explanation";
      explanation.hidden = true;
      (input || form.querySelector("fieldset")).setAttribute(
        "aria-describedby", verdict.id + " " + explanation.id);

      var show = function (result) {
        root.setAttribute("data-verdict", result.verdict);
        verdict.className = "aq-verdict aq-" + result.verdict;
        verdict.textContent = result.text;
        var done = result.verdict === "right" || result.verdict === "revealed";
        explanation.textContent = done ? data.explanation : "";
        explanation.hidden = !done;
        if (input) { input.setAttribute("aria-invalid", String(result.verdict === "invalid")); }
      };

      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var reply = null;
        if (input) {
          reply = input.value;
        } else {
          radios.forEach(function (r) { if (r.checked) { reply = Number(r.value); } });
        }
        show(engine.judge(data, reply));
      });
      reveal.addEventListener("click", function () {
        show({ verdict: "revealed", text: "The answer is " + data.answer_text +
          (data.unit ? " " + data.unit : "") + "." });
      });

      app.appendChild(form);
      app.appendChild(verdict);
      app.appendChild(explanation);
      var fallback = root.querySelector(".aq-static");
      if (fallback) { fallback.parentNode.removeChild(fallback); }
      root.setAttribute("data-verdict", "");
    };

    engine.startAll = function () {
      var roots = document.querySelectorAll(".attn-question");
      for (var i = 0; i < roots.length; i++) {
        try { engine.start(roots[i]); } catch (err) {
          roots[i].setAttribute("data-aq-error", String(err));
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
