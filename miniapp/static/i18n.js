// The texts of the reader's language, from the bot's own catalogues (served by /api/session).
let texts = {};
let language = "zh-Hant-HK";

export function setTexts(lang, catalogue) {
  language = lang;
  texts = catalogue || {};
  document.documentElement.lang = lang;
}

export function currentLanguage() {
  return language;
}

export function t(key, params = {}) {
  let text = texts[key];
  if (text && typeof text === "object") {
    text = language === "en" && params.count === 1 && text.one ? text.one : text.other;
  }
  if (typeof text !== "string") return key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
