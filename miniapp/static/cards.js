// A proposal as a card in a list: who, which document, title and the matched sentence.
import { excerpt, h, marked } from "./dom.js";
import { t } from "./i18n.js";

export function resultCard(result, open) {
  const spans = (field) => (result.highlights || []).filter((span) => span.field === field);
  const passage = result.passage;
  const field = passage ? passage.field : "text";
  const source = field === "refs" ? result.refs || "" : result.text;
  return h(
    "li",
    { class: "card" },
    h(
      "button",
      { class: "card-button", type: "button", "data-id": result.id, onclick: () => open(result.id) },
      h("span", { class: "meta", text: `${result.org_name} · ${result.doc_label}` }),
      h("span", { class: "title" }, marked(result.title, spans("title"))),
      field === "refs" ? h("span", { class: "note", text: t("in_cited") }) : null,
      h("span", { class: "snippet" }, excerpt(source, spans(field), passage)),
    ),
  );
}
