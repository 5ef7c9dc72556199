// The Telegram Mini App bridge, written here instead of loading Telegram's script from a third
// party: launch data from window.Telegram.WebApp when a client (or a test) provides it, else
// from the URL fragment Telegram opens the page with (#tgWebAppData=…&tgWebAppThemeParams=…).

const fragment = new URLSearchParams(location.hash.slice(1));
const native = window.Telegram && window.Telegram.WebApp ? window.Telegram.WebApp : null;

function parseJson(text) {
  try {
    const value = JSON.parse(text || "{}");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

// The raw query string Telegram signed: sent as is to the server, which checks it.
export const initData = native ? native.initData || "" : fragment.get("tgWebAppData") || "";

let theme = native ? null : parseJson(fragment.get("tgWebAppThemeParams"));

export function themeParams() {
  return native ? native.themeParams || {} : theme;
}

function luminance(hex) {
  const match = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!match) return 1;
  const n = parseInt(match[1], 16);
  return (0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
}

export function colorScheme() {
  if (native && native.colorScheme) return native.colorScheme;
  const bg = themeParams().bg_color;
  if (bg) return luminance(bg) < 0.5 ? "dark" : "light";
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function postEvent(type, data) {
  const payload = JSON.stringify(data || {});
  if (window.TelegramWebviewProxy) {
    window.TelegramWebviewProxy.postEvent(type, payload);
  } else if (window.parent !== window) {
    window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), "*");
  }
}

export function ready() {
  if (native) {
    native.ready && native.ready();
    native.expand && native.expand();
  } else {
    postEvent("web_app_ready");
    postEvent("web_app_expand");
  }
}

const backHandlers = [];

export function showBack(visible) {
  if (native && native.BackButton) {
    visible ? native.BackButton.show() : native.BackButton.hide();
  } else {
    postEvent("web_app_setup_back_button", { is_visible: visible });
  }
}

export function onBack(handler) {
  backHandlers.push(handler);
  if (native && native.BackButton && native.BackButton.onClick) native.BackButton.onClick(handler);
}

const themeHandlers = [];

export function onThemeChanged(handler) {
  if (native && native.onEvent) native.onEvent("themeChanged", handler);
  else themeHandlers.push(handler);
}

// Telegram's web client sends events to the frame as messages.
window.addEventListener("message", (event) => {
  let message;
  try {
    message = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
  } catch {
    return;
  }
  if (!message || typeof message !== "object") return;
  if (message.eventType === "back_button_pressed") backHandlers.forEach((handler) => handler());
  if (message.eventType === "theme_changed" && message.eventData && !native) {
    theme = message.eventData.theme_params || {};
    themeHandlers.forEach((handler) => handler());
  }
});
