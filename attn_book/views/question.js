// "Predict, then check": the reader types a number or picks an option, and the
// view judges the reply against the answer the chapter's code computed. The
// same module in both feeds: the judging happens here, and in a kernel the
// reply and the verdict sync back to Python (question.reply, question.verdict).
import * as core from "./core.js";

export { mount } from "./core.js";

/** Nothing to compute: the page judges the reply in render(). */
export function compute() {
  return {};
}

// A number as a reader may type it: the rule of attn_book.exercises.read_number
// (digits grouped in threes by commas or spaces, numbers joined by * or /, one
// unit word after it: "1,048,576", "4*512*512", "1/4", "64 features").
const SEP = "[,_ \\u00a0\\u202f]";
const DIGITS = `(?:[1-9][0-9]{0,2}(?:${SEP}[0-9]{3})+|[0-9]+)`;
const NUMBER = `[-+]?(?:${DIGITS}(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?`;
const TEXT = new RegExp(`^(${NUMBER}(?:\\s*[*/]\\s*${NUMBER})*)\\s*(?:\\p{L}+)?$`, "u");

/** The reader's number, or NaN when the text does not follow the rule. */
export function readNumber(text) {
  const match = TEXT.exec(
    String(text)
      .trim()
      .replace(/\u2212/g, "-")
      .replace(/\u00d7/g, "*"),
  );
  if (!match) return Number.NaN;
  const parts = match[1].split(/\s*([*/])\s*/).map((p) => p.replace(new RegExp(SEP, "g"), ""));
  let value = Number(parts[0]);
  for (let i = 1; i < parts.length; i += 2) {
    const x = Number(parts[i + 1]);
    if (parts[i] === "/" && x === 0) return Number.NaN;
    value = parts[i] === "*" ? value * x : value / x;
  }
  return value;
}

/** The verdict on one reply: { verdict: right | wrong | invalid | empty, text }. */
export function judge(q, reply) {
  const answer = q.answer_text + (q.unit ? ` ${q.unit}` : "");
  const right = { verdict: "right", text: `Right: the answer is ${answer}.` };
  const wrong = (why) => ({
    verdict: "wrong",
    text: `Not quite: ${why}. Try again, or show the answer.`,
  });
  if (q.options.length) {
    if (reply === null || reply === undefined)
      return { verdict: "empty", text: "Pick an option first." };
    return reply === q.answer ? right : wrong(`"${core.short(q.options[reply], 40)}" is not it`);
  }
  if (String(reply).trim() === "") return { verdict: "empty", text: "Type a number first." };
  const x = readNumber(reply);
  const quoted = `"${core.short(String(reply).trim(), 40)}"`;
  if (!Number.isFinite(x)) {
    return {
      verdict: "invalid",
      text: `${quoted} is not a number: type one such as 0.25, 1/4 or 4*512.`,
    };
  }
  const slack = 1e-9 * Math.max(1, Math.abs(q.answer));
  if (Math.abs(x - q.answer) <= q.tolerance + slack) return right;
  return wrong(`${quoted} is too ${x > q.answer ? "high" : "low"}`);
}

function render({ model, el }) {
  const q = {};
  for (const key of [
    "prompt",
    "options",
    "answer",
    "answer_text",
    "tolerance",
    "unit",
    "explanation",
  ]) {
    q[key] = model.get(key);
  }
  const root = core.frame(el, "Predict, then check");
  const prompt = core.el("p", { id: core.uid("attn-prompt") }, q.prompt);
  const form = core.el("form", { noValidate: true });
  let box = null;
  const radios = [];
  if (q.options.length) {
    const group = core.el("fieldset", { className: "attn-options", "aria-labelledby": prompt.id });
    const name = core.uid("attn-choice");
    q.options.forEach((text, i) => {
      const radio = core.el("input", {
        type: "radio",
        name,
        value: String(i),
        id: core.uid("attn-option"),
      });
      radios.push(radio);
      group.append(
        core.el("label", { htmlFor: radio.id, className: "attn-option" }, radio, ` ${text}`),
      );
    });
    form.append(group);
  } else {
    box = core.el("input", {
      type: "text",
      inputMode: "decimal",
      autocomplete: "off",
      maxLength: 200,
      "aria-labelledby": prompt.id,
      "data-lm-suppress-shortcuts": "true",
    });
    form.append(core.el("span", { className: "attn-control" }, box, q.unit ? ` ${q.unit} ` : " "));
  }
  const check = core.el("button", { type: "submit" }, "Check");
  const reveal = core.el("button", { type: "button" }, "Show the answer");
  form.append(core.el("span", { className: "attn-controls" }, check, reveal));
  const verdict = core.statusLine();
  const explanation = core.el("p", { className: "attn-note", hidden: true });
  root.append(prompt, form, verdict, explanation);
  const show = (result) => {
    root.dataset.verdict = result.verdict;
    verdict.show(result.text, result.verdict !== "right" && result.verdict !== "revealed");
    const done = result.verdict === "right" || result.verdict === "revealed";
    core.setText(explanation, done ? q.explanation : "");
    explanation.hidden = !done;
    if (box) box.setAttribute("aria-invalid", String(result.verdict === "invalid"));
    model.set("verdict", result.verdict);
    model.save_changes();
  };
  const submit = () => {
    const chosen = radios.findIndex((r) => r.checked);
    const reply = box ? box.value : chosen < 0 ? null : chosen;
    model.set("reply", String(box ? reply : chosen < 0 ? "" : q.options[chosen]));
    show(judge(q, reply));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  // Enter checks the number (JupyterLab's output area does not submit forms).
  box?.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      submit();
    }
  });
  reveal.addEventListener("click", () =>
    show({
      verdict: "revealed",
      text: `The answer is ${q.answer_text}${q.unit ? ` ${q.unit}` : ""}.`,
    }),
  );
}

export default { render };
