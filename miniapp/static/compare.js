// A topic side by side: one column per organisation, scrolled sideways on a phone.
import { api, query } from "./api.js";
import { resultCard } from "./cards.js";
import { clear, debounce, h, queryInput } from "./dom.js";
import { t } from "./i18n.js";

const WAIT_MS = 300;

export function compareView(app) {
  const state = app.compare;
  const input = queryInput(t("tab_compare"), t("compare_placeholder"), state.q);
  const summary = h("p", { class: "status", "aria-live": "polite" });
  const columns = h("div", { class: "columns" });
  let sequence = 0;

  function render() {
    const answer = state.answer;
    if (!answer) {
      summary.textContent = t("compare_hint");
      clear(columns);
      return;
    }
    const orgs = answer.organisations.length;
    summary.textContent = orgs
      ? `${t("compare_total", { count: answer.total })} · ${t("compare_orgs", { count: orgs })}`
      : t("compare_empty");
    clear(
      columns,
      answer.organisations.map((org) =>
        h(
          "section",
          { class: "column", "data-org": org.code },
          h("h2", {}, h("span", { text: org.org }), h("span", { class: "count", text: t("org_total", { count: org.total }) })),
          h("ol", { class: "results" }, org.items.map((item) => resultCard(item, app.openRecord))),
          org.total > org.items.length
            ? h("button", {
                class: "link all",
                type: "button",
                text: t("compare_all", { count: org.total }),
                onclick: () => app.searchFor(answer.topic, { org: [org.code] }),
              })
            : null,
        ),
      ),
    );
  }

  async function run() {
    const mine = ++sequence;
    if (!state.q.trim()) {
      state.answer = null;
      render();
      return;
    }
    summary.textContent = t("loading");
    try {
      const answer = await api("/api/compare?" + query({ q: state.q }));
      if (mine !== sequence) return;
      state.answer = answer;
      render();
    } catch (error) {
      if (mine === sequence) summary.textContent = app.errorText(error);
    }
  }

  const typed = debounce(run, WAIT_MS);
  input.addEventListener("input", () => {
    state.q = input.value;
    typed();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") run();
  });
  render();
  return { element: h("section", { class: "screen compare" }, input, summary, columns), focus: input };
}
