// Building the page safely: every piece of text goes through textContent or an attribute, never
// innerHTML, so a customer's message can never become markup. Strings come from the translated JSON
// the page embeds (web/inbox/strings.py).

let STRINGS = {};

export function loadStrings(strings) {
  STRINGS = strings || {};
}

/** t('typing', {name: 'Ana'}) → "Ana está digitando…" (missing keys show the key, never crash). */
export function t(key, params) {
  let text = STRINGS[key] ?? key;
  if (params) {
    for (const [name, value] of Object.entries(params)) {
      text = text.split(`{${name}}`).join(value == null ? '' : String(value));
    }
  }
  return text;
}

/**
 * h('button', {class: 'btn', onclick: fn, dataset: {id: 1}, aria: {label: 'x'}}, 'text', child)
 * Children: strings (as text), nodes, arrays, or null/false (skipped).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'aria') for (const [k, v] of Object.entries(value)) el.setAttribute(`aria-${k}`, v);
    else if (name === 'style') for (const [k, v] of Object.entries(value)) el.style.setProperty(k, v);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';
// 24×24 stroke icons (drawn here, no icon font or CDN).
const ICONS = {
  clock: ['M12 7v5l3 2', 'circle:12,12,9'],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  checks: ['M2.5 12.5l4.5 4.5L16.5 7.5', 'M11 16.5l1 .5L21.5 7.5'],
  alert: ['M12 8v5', 'M12 16.5v.5', 'circle:12,12,9'],
  clip: ['M20 11.5l-8.2 8.2a5 5 0 01-7.1-7.1l8.5-8.5a3.4 3.4 0 014.8 4.8l-8.4 8.4a1.7 1.7 0 01-2.4-2.4l7.6-7.6'],
  smile: ['circle:12,12,9', 'M8.5 14.5a4.5 4.5 0 007 0', 'M9 9.5v.5', 'M15 9.5v.5'],
  send: ['M4 12l16-8-6 16-2.5-6.5z', 'M11.5 13.5L20 4'],
  note: ['M5 4h10l4 4v12H5z', 'M15 4v4h4', 'M8 12h8', 'M8 16h6'],
  reply: ['M10 8L4 13l6 5', 'M4 13h10a6 6 0 016 6'],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  user: ['circle:12,8,4', 'M4 21a8 8 0 0116 0'],
  file: ['M6 3h8l5 5v13H6z', 'M14 3v5h5'],
  template: ['M4 5h16v14H4z', 'M8 9h8', 'M8 13h5'],
  search: ['circle:11,11,7', 'M16.5 16.5L21 21'],
  info: ['circle:12,12,9', 'M12 11v6', 'M12 7.5v.5'],
  mail: ['M4 6h16v12H4z', 'M4 7l8 6 8-6'],
};

export function icon(name, label) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
  } else {
    svg.setAttribute('aria-hidden', 'true');
  }
  for (const shape of ICONS[name] || []) {
    let el;
    if (shape.startsWith('circle:')) {
      const [cx, cy, r] = shape.slice(7).split(',');
      el = document.createElementNS(SVG_NS, 'circle');
      el.setAttribute('cx', cx);
      el.setAttribute('cy', cy);
      el.setAttribute('r', r);
    } else {
      el = document.createElementNS(SVG_NS, 'path');
      el.setAttribute('d', shape);
    }
    svg.append(el);
  }
  return svg;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** A short-lived message at the bottom of the screen (errors of actions, "sem conexão"). */
export function toast(message, kind = 'info') {
  const region = $('#inbox-toasts');
  if (!region) return;
  const el = h('div', {class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status'}, message);
  region.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 7000 : 4000);
}

export function debounce(fn, ms) {
  let timer = null;
  const call = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  call.cancel = () => clearTimeout(timer); // a later action makes the waiting call wrong (see settleRead)
  return call;
}

/** A random key for idempotent sends (crypto.randomUUID needs a secure context; this does not). */
export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
