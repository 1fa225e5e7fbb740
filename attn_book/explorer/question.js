(() => {
  // One engine per page (a JupyterLab session may hold an older one: replace it).
  let engine = window.__attnQuestion;
  if (engine?.version !== 1) {
    engine = window.__attnQuestion = { version: 1 };

    const el = (tag, className, text) => {
      const node = document.createElement(tag);
      if (className) {
        node.className = className;
      }
      if (text !== undefined) {
        node.textContent = text;
      }
      return node;
    };

    // What the reader typed, shortened for a verdict (always inserted as text).
    const quote = (text) => {
      const t = String(text).trim();
      return `\u201c${t.length > 40 ? `${t.slice(0, 37)}...` : t}\u201d`;
    };

    // A number as a reader may type it: 0.25, .25, -3, 1e-3, 0,25 or 1/4.
    engine.parseNumber = (text) => {
      let t = String(text)
        .trim()
        .replace(/\u2212/g, "-");
      if (/^[+-]?\d+,\d+$/.test(t)) {
        t = t.replace(",", ".");
      }
      const frac = /^([+-]?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(t);
      if (frac) {
        const den = Number(frac[2]);
        return den === 0 ? NaN : Number(frac[1]) / den;
      }
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) {
        return NaN;
      }
      return Number(t);
    };

    // The verdict for one reply: {verdict, text}. verdict is "right", "wrong",
    // "invalid" (not a number) or "empty" (nothing given yet).
    engine.judge = (data, reply) => {
      const answer = data.answer_text + (data.unit ? ` ${data.unit}` : "");
      if (data.kind === "choice") {
        if (reply === null || reply === undefined) {
          return { verdict: "empty", text: "Pick an option first." };
        }
        if (reply === data.answer) {
          return { verdict: "right", text: `\u2713 Right: the answer is ${answer}.` };
        }
        return {
          verdict: "wrong",
          text:
            "\u2717 Not quite: " +
            quote(data.options[reply]) +
            " is not it. Try again, or show the answer.",
        };
      }
      if (String(reply).trim() === "") {
        return { verdict: "empty", text: "Type a number first." };
      }
      const x = engine.parseNumber(reply);
      if (!Number.isFinite(x)) {
        return {
          verdict: "invalid",
          text: `${quote(reply)} is not a number. Type a number such as 0.25 or 1/4.`,
        };
      }
      const slack = 1e-9 * Math.max(1, Math.abs(data.answer));
      if (Math.abs(x - data.answer) <= data.tolerance + slack) {
        return { verdict: "right", text: `\u2713 Right: the answer is ${answer}.` };
      }
      return {
        verdict: "wrong",
        text:
          "\u2717 Not quite: " +
          quote(reply) +
          " is too " +
          (x > data.answer ? "high" : "low") +
          ". Try again, or show the answer.",
      };
    };

    engine.start = (root) => {
      if (root.getAttribute("data-aq-ready")) {
        return;
      }
      const source = root.querySelector("script.aq-data");
      const app = root.querySelector(".aq-app");
      if (!source || !app) {
        return;
      }
      root.setAttribute("data-aq-ready", "1");
      const data = JSON.parse(source.textContent);
      const uid = root.id || "attn-question";
      const promptId = `${uid}-prompt`;

      const form = el("form", "aq-form");
      form.setAttribute("novalidate", "");
      let input = null,
        radios = [];
      if (data.kind === "choice") {
        const group = el("fieldset", "aq-options");
        group.setAttribute("aria-labelledby", promptId);
        data.options.forEach((text, i) => {
          const label = el("label", "aq-option");
          const radio = el("input");
          radio.type = "radio";
          radio.name = `${uid}-choice`;
          radio.value = String(i);
          radio.id = `${uid}-option${i}`;
          label.htmlFor = radio.id;
          label.appendChild(radio);
          label.appendChild(el("span", "aq-option-text", text));
          group.appendChild(label);
          radios.push(radio);
        });
        form.appendChild(group);
      } else {
        const row = el("div", "aq-row");
        input = el("input", "aq-input");
        input.type = "text";
        input.id = `${uid}-input`;
        input.setAttribute("inputmode", "decimal");
        input.setAttribute("autocomplete", "off");
        input.setAttribute("spellcheck", "false");
        input.setAttribute("aria-labelledby", promptId);
        row.appendChild(input);
        if (data.unit) {
          row.appendChild(el("span", "aq-unit", data.unit));
        }
        form.appendChild(row);
      }
      // A number's buttons sit beside its box; an option list's below the options.
      const buttons = input ? form.querySelector(".aq-row") : el("div", "aq-buttons");
      const checkButton = el("button", "aq-check", "Check");
      checkButton.type = "submit";
      const reveal = el("button", "aq-reveal", "Show the answer");
      reveal.type = "button";
      buttons.appendChild(checkButton);
      buttons.appendChild(reveal);
      if (!input) {
        form.appendChild(buttons);
      }

      const verdict = el("p", "aq-verdict");
      verdict.id = `${uid}-verdict`;
      verdict.setAttribute("role", "status");
      verdict.setAttribute("aria-live", "polite");
      const explanation = el("p", "aq-explanation");
      explanation.id = `${uid}-explanation`;
      explanation.hidden = true;
      (input || form.querySelector("fieldset")).setAttribute(
        "aria-describedby",
        `${verdict.id} ${explanation.id}`,
      );

      const show = (result) => {
        root.setAttribute("data-verdict", result.verdict);
        verdict.className = `aq-verdict aq-${result.verdict}`;
        verdict.textContent = result.text;
        const done = result.verdict === "right" || result.verdict === "revealed";
        explanation.textContent = done ? data.explanation : "";
        explanation.hidden = !done;
        if (input) {
          input.setAttribute("aria-invalid", String(result.verdict === "invalid"));
        }
      };

      form.addEventListener("submit", (event) => {
        event.preventDefault();
        let reply = null;
        if (input) {
          reply = input.value;
        } else {
          radios.forEach((r) => {
            if (r.checked) {
              reply = Number(r.value);
            }
          });
        }
        show(engine.judge(data, reply));
      });
      reveal.addEventListener("click", () => {
        show({
          verdict: "revealed",
          text: `The answer is ${data.answer_text}${data.unit ? ` ${data.unit}` : ""}.`,
        });
      });

      app.appendChild(form);
      app.appendChild(verdict);
      app.appendChild(explanation);
      const fallback = root.querySelector(".aq-static");
      if (fallback) {
        fallback.parentNode.removeChild(fallback);
      }
      root.setAttribute("data-verdict", "");
    };

    engine.startAll = () => {
      const roots = document.querySelectorAll(".attn-question");
      for (let i = 0; i < roots.length; i++) {
        try {
          engine.start(roots[i]);
        } catch (err) {
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
