// What every engine starts with: DOM helpers and the start of every component
// on the page. attn_book/explorer/assets.py joins this part in front of each
// component's own parts (weights.js first, for a component that shows
// weights) inside one wrapper that defines `engine`, with the component's
// root class (engine.rootClass, e.g. "attn-explorer") and the prefix of its
// parts' classes (engine.prefix, e.g. "ae"). A component's parts add
// engine.build(ex), which builds it inside ex.app, and engine.render(ex),
// which shows its state (optional).

/** A new element with an optional class and text (set as text, never as HTML). */
engine.el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
};

/** A button that submits nothing (type "button"), with an optional class and text. */
engine.button = (className, text) => {
  const node = engine.el("button", className, text);
  node.type = "button";
  return node;
};

/** A one-line text box with an id, no autocomplete and no spell check. */
engine.textBox = (className, id) => {
  const box = engine.el("input", className);
  box.type = "text";
  box.id = id;
  box.setAttribute("autocomplete", "off");
  box.setAttribute("spellcheck", "false");
  return box;
};

/** A <select> offering [value, label] pairs. */
engine.select = (className, options) => {
  const menu = engine.el("select", className);
  for (const [value, label] of options) {
    const option = engine.el("option", null, label);
    option.value = String(value);
    menu.appendChild(option);
  }
  return menu;
};

/**
 * The line under ex.input, the component's text box, that says why its text
 * was refused (or notes what was left out): a live region the box points at.
 */
engine.messageLine = (ex, tag) => {
  const line = engine.el(tag, `${engine.prefix}-message`);
  line.id = engine.idFor(ex, "message");
  line.setAttribute("role", "status");
  line.setAttribute("aria-live", "polite");
  ex.input.setAttribute("aria-describedby", line.id);
  return line;
};

/** Write on the message line; an error is marked there and on the box (aria-invalid). */
engine.setMessage = (ex, text, isError) => {
  engine.setText(ex.message, text);
  ex.message.classList.toggle(`${engine.prefix}-error`, isError);
  if (isError) {
    ex.input.setAttribute("aria-invalid", "true");
  } else {
    ex.input.removeAttribute("aria-invalid");
  }
};

/** Set an element's text only when it changes (a write costs a layout). */
engine.setText = (node, text) => {
  if (node.textContent !== text) {
    node.textContent = text;
  }
};

/** A unique id for a part of one component (labels and descriptions point at it). */
engine.idFor = (ex, part) => `${ex.root.id || engine.rootClass}-${part}`;

/**
 * Start one component: read its data, build it, replace the static fallback
 * (what a page without JavaScript shows) and show its first state.
 */
engine.start = (root) => {
  const p = engine.prefix;
  if (root.getAttribute(`data-${p}-ready`)) {
    return;
  }
  const source = root.querySelector(`script.${p}-data`);
  const app = root.querySelector(`.${p}-app`);
  if (!source || !app) {
    return;
  }
  root.setAttribute(`data-${p}-ready`, "1");
  const ex = { root, app, data: JSON.parse(source.textContent) };
  engine.build(ex);
  const fallback = root.querySelector(`.${p}-static`);
  if (fallback) {
    fallback.parentNode.removeChild(fallback);
  }
  if (engine.render) {
    engine.render(ex);
  }
};

/** Start every component of this kind on the page that has not started yet. */
engine.startAll = () => {
  for (const root of document.querySelectorAll(`.${engine.rootClass}`)) {
    try {
      engine.start(root);
    } catch (err) {
      root.setAttribute(`data-${engine.prefix}-error`, String(err));
      throw err;
    }
  }
};
