// Builds elements from data without ever parsing it as HTML, so nothing a user typed can become markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

let ids = 0;
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled field with a place for its error, announced with it (aria-describedby). */
export function field(label, control, { hint } = {}) {
  const id = control.id || uid("field");
  control.id = id;
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const described = [`${id}-error`];
  let hintElement = null;
  if (hint) {
    hintElement = h("p", { class: "hint", id: `${id}-hint` }, hint);
    described.push(`${id}-hint`);
  }
  control.setAttribute("aria-describedby", described.join(" "));
  return h("div", { class: "field" }, h("label", { for: id }, label), hintElement, control, error);
}

export function showFieldError(form, fieldName, message) {
  const control = form.querySelector(`[data-field="${fieldName}"]`);
  if (!control) return false;
  const error = document.getElementById(`${control.id}-error`);
  control.setAttribute("aria-invalid", "true");
  if (error) {
    error.textContent = message;
    error.hidden = false;
  }
  return true;
}

export function clearFieldErrors(form) {
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  for (const error of form.querySelectorAll(".field-error")) {
    error.textContent = "";
    error.hidden = true;
  }
}

/** Replaces the element's children (arrays flattened, empty values skipped). */
export function fill(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/**
 * Grey shapes where a page's content will be, while it loads: `title` shows at once when known (else a screen
 * reader hears `loading`). The caller marks the region aria-busy until the content replaces them. The shimmer
 * stops under prefers-reduced-motion (portal.css).
 */
export function skeleton(loading, { title = null, rows = 6 } = {}) {
  const bones = [];
  for (let i = 0; i < rows; i += 1) bones.push(h("span", { class: "bone row" }));
  return [
    title
      ? h("h1", {}, title)
      : [h("h1", { class: "visually-hidden" }, loading), h("span", { class: "bone title", "aria-hidden": "true" })],
    title ? h("p", { class: "visually-hidden" }, loading) : null,
    h("div", { class: "skeleton", "aria-hidden": "true" }, h("span", { class: "bone bar" }), bones),
  ];
}
