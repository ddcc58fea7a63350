// A tiny element builder: h('button', { class: 'btn', onclick }, 'Buy'). Text children become text nodes,
// so data from the server is never parsed as HTML.

/** Builds an element; attributes starting with `on` are listeners, everything else is an attribute (or a property for value, checked, disabled). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled form field: the label names the control for screen readers. */
export function field(label, control, hint) {
  const id = control.id || (control.id = `f-${Math.random().toString(36).slice(2, 9)}`);
  const hintEl = hint ? h('small', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

/** A <select> from [value, label] pairs. */
export function select(options, value, attrs = {}) {
  return h('select', attrs, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

/** Copies text and says so in the button for a moment. */
export function copyButton(text, label, done) {
  const b = h('button', { type: 'button', class: 'btn small ghost', onclick: async () => {
    try {
      await navigator.clipboard.writeText(text());
      b.textContent = done;
    } catch {
      b.textContent = '✗';
    }
    setTimeout(() => (b.textContent = label), 1500);
  } }, label);
  return b;
}
