// Calls to the bot's API, each carrying Telegram's initData for the server to check.
import { initData } from "./tg.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || "error");
    this.status = status;
    this.code = (body && body.error) || "error";
    this.body = body || {};
  }
}

export async function api(path, options = {}) {
  const headers = { Authorization: "tma " + initData };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method: options.method || "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null && item !== "") search.append(key, String(item));
    }
  }
  return search.toString();
}
