// The Mini App: boots from Telegram's launch data, then search, compare, digests and full views.
import { api } from "./api.js";
import { compareView } from "./compare.js";
import { clear, h } from "./dom.js";
import { setTexts, t } from "./i18n.js";
import { recordView } from "./record.js";
import { searchView } from "./search.js";
import { subsView } from "./subs.js";
import * as tg from "./tg.js";

const THEME_KEYS = [
  "bg_color", "text_color", "hint_color", "link_color", "button_color", "button_text_color",
  "secondary_bg_color", "section_bg_color", "accent_text_color", "destructive_text_color",
];
const TABS = [
  ["search", searchView],
  ["compare", compareView],
  ["subs", subsView],
];

function applyTheme() {
  const root = document.documentElement;
  root.dataset.scheme = tg.colorScheme();
  const params = tg.themeParams();
  for (const key of THEME_KEYS) {
    const value = params[key];
    const name = "--tg-" + key.replace(/_/g, "-");
    if (typeof value === "string" && /^#[0-9a-f]{3,8}$/i.test(value)) root.style.setProperty(name, value);
    else root.style.removeProperty(name);
  }
}

const app = {
  session: null,
  tab: "search",
  stack: [], // full views opened on top of the current tab
  search: { q: "", filters: { org: [], area: [], year: [], doc: [] }, answer: null, pending: false },
  compare: { q: "", answer: null },
  openRecord(id) {
    app.stack.push(id);
    show();
  },
  back() {
    app.stack.pop();
    show();
  },
  searchFor(q, filters) {
    app.search.q = q;
    app.search.filters = { org: [], area: [], year: [], doc: [], ...filters };
    app.search.answer = null;
    app.search.pending = true;
    app.tab = "search";
    app.stack = [];
    show();
  },
  errorText(error) {
    if (error.status === 401) return t("unauthorized");
    if (error.status === 429) return t("slow_down");
    return t("error");
  },
};

function tabs() {
  const nav = document.getElementById("tabs");
  clear(
    nav,
    TABS.map(([name]) =>
      h("button", {
        class: "tab",
        type: "button",
        role: "tab",
        "data-tab": name,
        "aria-selected": name === app.tab && !app.stack.length ? "true" : "false",
        text: t("tab_" + name),
        onclick: () => {
          app.tab = name;
          app.stack = [];
          show();
        },
      }),
    ),
  );
}

function show() {
  const view = document.getElementById("view");
  const top = app.stack[app.stack.length - 1];
  const screen = top
    ? recordView(app, top)
    : TABS.find(([name]) => name === app.tab)[1](app);
  clear(view, screen.element);
  tabs();
  tg.showBack(app.stack.length > 0);
  window.scrollTo(0, 0);
  if (screen.focus && !top && matchMedia("(pointer: fine)").matches) screen.focus.focus();
}

async function start() {
  try {
    const opened = await api("/api/start" + (startParam() ? "?p=" + encodeURIComponent(startParam()) : ""));
    if (opened.view === "rec") app.stack.push(opened.id);
    if (opened.view === "search" && opened.q !== undefined) {
      app.search.q = opened.q;
      Object.assign(app.search.filters, opened.filters);
      app.search.pending = true;
    }
  } catch {
    // no start parameter, or one that leads nowhere: the search screen
  }
}

function startParam() {
  return new URLSearchParams(location.search).get("start") || "";
}

async function boot() {
  applyTheme();
  tg.onThemeChanged(applyTheme);
  tg.onBack(() => app.stack.length && app.back());
  tg.ready();
  const opening = start();  // at the same time as the session
  try {
    app.session = await api("/api/session");
  } catch (error) {
    // Before the session, the language is unknown: the server's message in the browser's.
    const messages = (error.body && error.body.message) || {};
    const english = navigator.language.startsWith("en");
    const message = messages[english ? "en" : "zh-Hant-HK"] || error.code;
    clear(document.getElementById("view"), h("p", { class: "status", text: message }));
    return;
  }
  setTexts(app.session.language, app.session.texts);
  document.title = t("title");
  await opening;
  show();
}

boot();
