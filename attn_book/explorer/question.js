// The "predict, then check" question (attn_book/explorer/question.py): the
// reader types a number or picks an option, and the page judges the reply
// against the answer the chapter's code computed. common.js starts every
// question on the page.
const { el } = engine;

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

// The answer as the page says it: the number or option, and its unit.
const answerOf = (data) => data.answer_text + (data.unit ? ` ${data.unit}` : "");

// The verdict for one reply: {verdict, text}. verdict is "right", "wrong",
// "invalid" (not a number) or "empty" (nothing given yet).
engine.judge = (data, reply) => {
  const right = {
    verdict: "right",
    text: `\u2713 Right: the answer is ${answerOf(data)}.`,
  };
  const wrong = (why) => ({
    verdict: "wrong",
    text: `\u2717 Not quite: ${why}. Try again, or show the answer.`,
  });
  if (data.kind === "choice") {
    if (reply === null || reply === undefined) {
      return { verdict: "empty", text: "Pick an option first." };
    }
    return reply === data.answer ? right : wrong(`${quote(data.options[reply])} is not it`);
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
    return right;
  }
  return wrong(`${quote(reply)} is too ${x > data.answer ? "high" : "low"}`);
};

/** Build one question inside ex.app: the options or the box, the buttons, the verdict. */
engine.build = (ex) => {
  const { root, app, data } = ex;
  const promptId = engine.idFor(ex, "prompt");

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
      radio.name = engine.idFor(ex, "choice");
      radio.value = String(i);
      radio.id = engine.idFor(ex, `option${i}`);
      label.htmlFor = radio.id;
      label.appendChild(radio);
      label.appendChild(el("span", "aq-option-text", text));
      group.appendChild(label);
      radios.push(radio);
    });
    form.appendChild(group);
  } else {
    const row = el("div", "aq-row");
    input = engine.textBox("aq-input", engine.idFor(ex, "input"));
    input.setAttribute("inputmode", "decimal");
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
  const reveal = engine.button("aq-reveal", "Show the answer");
  buttons.appendChild(checkButton);
  buttons.appendChild(reveal);
  if (!input) {
    form.appendChild(buttons);
  }

  const verdict = el("p", "aq-verdict");
  verdict.id = engine.idFor(ex, "verdict");
  verdict.setAttribute("role", "status");
  verdict.setAttribute("aria-live", "polite");
  const explanation = el("p", "aq-explanation");
  explanation.id = engine.idFor(ex, "explanation");
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
      text: `The answer is ${answerOf(data)}.`,
    });
  });

  app.appendChild(form);
  app.appendChild(verdict);
  app.appendChild(explanation);
  root.setAttribute("data-verdict", "");
};
