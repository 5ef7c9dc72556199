// Followed topics of the private chat: listed with how many proposals match each now, "alert at
// once" switched, unfollowed, and new ones followed (here or from the search screen), all
// through the bot's store (POST, PUT and DELETE /api/topics).
import { api } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

const MAX_CHARS = 200; // the server's limit (bot.search.topics.MAX_TOPIC_CHARS)

// What following said, as one line: followed or already, how many match now, and whether the
// digests were switched on for it. `answer` is the body of POST /api/topics.
export function followedText(answer) {
  const topic = answer.topic;
  const parts = [t(answer.result === "added" ? "topic_followed" : "topic_already", { topic: topic.text })];
  parts.push(topic.count ? t("topic_matches", { count: topic.count }) : t("topic_matches_none"));
  if (answer.schedule_created) parts.push(t("topic_schedule_created"));
  return parts.join(" ");
}

export function followErrorText(app, error) {
  if (error.status === 409 && error.body.message) return error.body.message;
  return app.errorText(error);
}

// Follow `q` (with the search's filters, if any); resolves to the answer's line of text.
export async function followTopic(app, q, filters = {}) {
  const answer = await api("/api/topics", { method: "POST", body: { q, filters } });
  return { answer, text: followedText(answer) };
}

// The "Followed topics" section; `changed(subscriptions)` hears every answer (the schedule may
// have been switched on or off by it).
export function topicsSection(app, current, changed) {
  const list = h("ul", { class: "topics" });
  const title = h("h2");
  const status = h("p", { class: "status topic-status", "aria-live": "polite" });
  const input = h("input", {
    class: "query topic-input",
    type: "text",
    enterkeyhint: "done",
    autocomplete: "off",
    maxlength: String(MAX_CHARS),
    "aria-label": t("topic_placeholder"),
    placeholder: t("topic_placeholder"),
  });

  function show(subscriptions) {
    const topics = subscriptions.topics || [];
    title.textContent = t("topics_title", { count: topics.length, limit: subscriptions.topic_limit });
    list.replaceChildren(
      ...(topics.length ? topics.map(row) : [h("li", { class: "hint", text: t("topics_none") })]),
    );
  }

  async function call(path, options, said) {
    status.textContent = t("loading");
    try {
      const answer = await api(path, options);
      show(answer);
      changed(answer);
      status.textContent = said(answer);
    } catch (error) {
      if (error.status !== 404) {
        status.textContent = followErrorText(app, error);
        return;
      }
      // Unfollowed meanwhile (e.g. with /unfollow in the chat): the list as it is now.
      status.textContent = t("topic_gone");
      api("/api/subscriptions").then((answer) => { show(answer); changed(answer); }, () => {});
    }
  }

  // A topic's filters as the reader names them (organisation, area, document), years as they are.
  function filterNames(filters = {}) {
    const named = (list, key, label, values = []) =>
      values.map((value) => (list.find((item) => item[key] === value) || {})[label] || value);
    return [
      ...named(app.session.orgs, "code", "name", filters.org),
      ...named(app.session.areas, "id", "name", filters.area),
      ...(filters.year || []),
      ...named(app.session.docs, "id", "label", filters.doc),
    ];
  }

  function row(topic) {
    const filters = filterNames(topic.filters);
    return h(
      "li",
      { class: "topic", "data-id": String(topic.id) },
      h(
        "div",
        { class: "topic-main" },
        h("span", { class: "topic-text", text: topic.text }),
        filters.length ? h("span", { class: "meta topic-filters", text: filters.join(" · ") }) : null,
        h("span", { class: "meta topic-count", text: t("topic_count", { count: topic.count }) }),
      ),
      h("button", {
        class: "chip notify",
        type: "button",
        "aria-pressed": topic.notify_now ? "true" : "false",
        text: t("topic_notify"),
        onclick: () =>
          call(
            "/api/topics/" + topic.id,
            { method: "PUT", body: { notify_now: !topic.notify_now } },
            () => t(topic.notify_now ? "topic_notify_off" : "topic_notify_on", { topic: topic.text }),
          ),
      }),
      h("button", {
        class: "chip unfollow",
        type: "button",
        "aria-label": t("topic_unfollow", { topic: topic.text }),
        text: "✖",
        onclick: () =>
          call("/api/topics/" + topic.id, { method: "DELETE" }, () =>
            t("topic_unfollowed", { topic: topic.text }),
          ),
      }),
    );
  }

  function add() {
    const q = input.value.trim();
    if (!q) return;
    call("/api/topics", { method: "POST", body: { q } }, (answer) => {
      input.value = "";
      return followedText(answer);
    });
  }

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") add();
  });
  show(current);
  return h(
    "section",
    { class: "followed" },
    title,
    h("p", { class: "hint", text: t("topics_intro") }),
    list,
    h(
      "div",
      { class: "topic-add" },
      input,
      h("button", { class: "button", type: "button", text: t("topic_follow"), onclick: add }),
    ),
    status,
  );
}
