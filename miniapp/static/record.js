// A proposal in full: its text, its citation, and related proposals of other organisations.
import { api } from "./api.js";
import { resultCard } from "./cards.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";

function row(name, value) {
  if (!value) return null;
  return [h("dt", { text: t(name) }), h("dd", { text: value })];
}

export function recordView(app, id) {
  const body = h("div", { class: "record" }, h("p", { class: "status", text: t("loading") }));
  api("/api/rec/" + encodeURIComponent(id))
    .then((rec) => {
      const cite = rec.citation;
      clear(
        body,
        h("p", { class: "meta", text: `${rec.org_name} · ${rec.doc_label}` }),
        h("h1", { class: "record-title", text: rec.title }),
        rec.withdrawn ? h("p", { class: "note", text: t("withdrawn") }) : null,
        h("p", { class: "record-text", text: rec.text }),
        h(
          "section",
          { class: "citation" },
          h("h2", { text: t("citation") }),
          h(
            "dl",
            {},
            row("organisation", cite.organisation),
            row("document", cite.document),
            row("date", cite.date),
            row("section", cite.section_path.join(" › ")),
            row("label", cite.label),
            row("bureaux", cite.bureaux.join("、")),
            row("areas", rec.areas.map((area) => "#" + area.name).join(" ")),
          ),
          cite.refs.length
            ? h(
                "div",
                { class: "refs" },
                h("h3", { text: t("cited") }),
                cite.refs.map((ref) =>
                  h("blockquote", {}, h("b", { text: ref.label + " " }), ref.text),
                ),
              )
            : null,
          h("p", { class: "hint", text: t("id", { id: rec.id }) }),
        ),
        h(
          "section",
          { class: "related" },
          h("h2", { text: t("related") }),
          rec.related.length
            ? h("ol", { class: "results" }, rec.related.map((item) => resultCard(item, app.openRecord)))
            : h("p", { class: "hint", text: t("related_none") }),
        ),
      );
    })
    .catch((error) => {
      clear(
        body,
        h("p", { class: "status", text: error.status === 404 ? t("not_found") : app.errorText(error) }),
      );
    });
  return {
    element: h(
      "section",
      { class: "screen" },
      h("button", { class: "link back", type: "button", text: t("back"), onclick: () => app.back() }),
      body,
    ),
  };
}
