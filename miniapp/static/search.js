// Search as you type: the bot's engine and filters, chips with counts per facet, highlights.
import { api, query } from "./api.js";
import { resultCard } from "./cards.js";
import { clear, debounce, h, queryInput } from "./dom.js";
import { t } from "./i18n.js";
import { followErrorText, followTopic } from "./topics.js";

const KINDS = ["org", "area", "year", "doc"];
const PAGE = 20;
const WAIT_MS = 250;

export function searchView(app) {
  const state = app.search;
  const input = queryInput(t("tab_search"), t("search_placeholder"), state.q);
  const chips = h("div", { class: "facets" });
  const summary = h("p", { class: "status", "aria-live": "polite" });
  const list = h("ol", { class: "results" });
  const more = h("div", { class: "more" });
  const follow = h("div", { class: "follow" });
  const followStatus = h("p", { class: "hint follow-status", "aria-live": "polite" });
  let sequence = 0;
  let controller = null;

  async function run(append = false) {
    const mine = ++sequence;
    if (controller) controller.abort();
    controller = new AbortController();
    if (!state.q.trim() && !KINDS.some((kind) => state.filters[kind].length)) {
      state.answer = null;
      render();
      return;
    }
    const offset = append ? state.answer.results.length : 0;
    summary.textContent = t("loading");
    try {
      const answer = await api(
        "/api/search?" + query({ q: state.q, ...state.filters, offset, limit: PAGE }),
        { signal: controller.signal },
      );
      if (mine !== sequence) return;
      if (append) answer.results = state.answer.results.concat(answer.results);
      state.answer = answer;
      render();
    } catch (error) {
      if (error.name === "AbortError" || mine !== sequence) return;
      summary.textContent = app.errorText(error);
    }
  }

  function toggle(kind, value) {
    const chosen = state.filters[kind];
    state.filters[kind] = chosen.includes(value)
      ? chosen.filter((item) => item !== value)
      : chosen.concat([value]);
    run();
  }

  function facetRow(kind, rows) {
    if (!rows.length) return null;
    return h(
      "div",
      { class: "facet", "data-kind": kind },
      h("span", { class: "facet-name", text: t("facet_" + kind) }),
      h(
        "div",
        { class: "chips" },
        rows.map((row) =>
          h(
            "button",
            {
              class: "chip",
              type: "button",
              "aria-pressed": row.selected ? "true" : "false",
              "data-value": row.value,
              onclick: () => toggle(kind, row.value),
            },
            h("span", { text: row.label }),
            h("span", { class: "count", text: String(row.count) }),
          ),
        ),
      ),
    );
  }

  // Follow the search on screen (its text and filters), as the bot's 🔔 button does.
  async function followThis() {
    followStatus.textContent = t("loading");
    try {
      followStatus.textContent = (await followTopic(app, state.q, state.filters)).text;
    } catch (error) {
      followStatus.textContent = followErrorText(app, error);
    }
  }

  function render() {
    const answer = state.answer;
    const filtered = KINDS.some((kind) => state.filters[kind].length);
    followStatus.textContent = "";
    clear(
      follow,
      answer && state.q.trim()
        ? h("button", { class: "link follow-search", type: "button", text: t("follow_search"), onclick: followThis })
        : null,
    );
    if (!answer) {
      clear(chips);
      clear(list);
      clear(more);
      summary.textContent = t("search_hint");
      return;
    }
    clear(
      chips,
      KINDS.map((kind) => facetRow(kind, answer.facets[kind] || [])),
      filtered
        ? h("button", {
            class: "link",
            type: "button",
            text: t("clear_filters"),
            onclick: () => {
              KINDS.forEach((kind) => (state.filters[kind] = []));
              run();
            },
          })
        : null,
    );
    summary.textContent = answer.total
      ? t("results", { count: answer.total })
      : t("no_results");
    const cards = answer.results.map((result) => resultCard(result, app.openRecord));
    const extra = [];
    if (!answer.total && answer.closest.length) {
      extra.push(h("li", { class: "aside", text: t("closest_intro") }));
      extra.push(...answer.closest.map((result) => resultCard(result, app.openRecord)));
    }
    if (!answer.total && answer.suggestions.length) {
      extra.push(
        h(
          "li",
          { class: "aside" },
          t("did_you_mean") + " ",
          answer.suggestions.map((word) =>
            h("button", {
              class: "chip",
              type: "button",
              text: word,
              onclick: () => {
                state.q = word;
                input.value = word;
                run();
              },
            }),
          ),
        ),
      );
    }
    clear(list, cards, extra);
    clear(
      more,
      answer.results.length < answer.total
        ? h("button", { class: "button", type: "button", text: t("more"), onclick: () => run(true) })
        : null,
    );
  }

  const typed = debounce(() => run(), WAIT_MS);
  input.addEventListener("input", () => {
    state.q = input.value;
    typed();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") run();
  });
  render();
  if (state.pending) {
    state.pending = false;
    run();
  }
  return { element: h("section", { class: "screen search" }, input, chips, summary, follow, followStatus, list, more), focus: input };
}
