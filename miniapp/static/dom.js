// Building the page: elements with text set through textContent only (never HTML), and
// highlighted text as <mark> elements around the matched spans.

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = value;
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "value" || key === "checked") element[key] = value;
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

function cleanSpans(spans, size) {
  const sorted = spans
    .map(({ start, end }) => [Math.max(0, start), Math.min(size, end)])
    .filter(([start, end]) => start < end)
    .sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push(span);
  }
  return merged;
}

// `text` as a fragment, the spans ([start, end) in UTF-16 units) in <mark>.
export function marked(text, spans = [], from = 0, to = text.length) {
  const fragment = document.createDocumentFragment();
  let cursor = from;
  for (const [start, end] of cleanSpans(spans, to)) {
    if (end <= from) continue;
    const first = Math.max(start, from);
    fragment.append(text.slice(cursor, first), h("mark", { text: text.slice(first, end) }));
    cursor = end;
  }
  fragment.append(text.slice(cursor, to));
  return fragment;
}

// About `width` characters of `text` from the matched sentence (or around the first match),
// highlighted, with an ellipsis where cut.
export function excerpt(text, spans = [], focus = null, width = 140) {
  const flat = text.replace(/\n/g, " ");
  const anchor = focus ? focus.start : spans.length ? Math.min(...spans.map((s) => s.start)) - 30 : 0;
  const start = Math.max(0, Math.min(anchor, flat.length - width));
  const end = Math.min(flat.length, start + width);
  const fragment = document.createDocumentFragment();
  if (start > 0) fragment.append("…");
  fragment.append(marked(flat, spans, start, end));
  if (end < flat.length) fragment.append("…");
  return fragment;
}

// The search box of a screen: a search-type input, no autocomplete, "search" on the keyboard.
export function queryInput(label, placeholder, value) {
  return h("input", {
    class: "query",
    type: "search",
    enterkeyhint: "search",
    autocomplete: "off",
    "aria-label": label,
    placeholder,
    value,
  });
}

export function clear(element, ...children) {
  element.replaceChildren(...children.flat().filter(Boolean));
  return element;
}

export function debounce(fn, wait) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}
