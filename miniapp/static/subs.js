// The private chat's digests: areas, how often, weekday and hour, saved through the bot's store,
// and its followed topics.
import { api } from "./api.js";
import { h } from "./dom.js";
import { currentLanguage, t } from "./i18n.js";
import { topicsSection } from "./topics.js";

function when(iso, zone) {
  try {
    return new Intl.DateTimeFormat(currentLanguage(), {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: zone,
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

export function subsView(app) {
  const body = h("div", {}, h("p", { class: "status", text: t("loading") }));
  const status = h("p", { class: "status", "aria-live": "polite" });

  function form(current) {
    const chosen = new Set(current.areas);
    const areaBoxes = app.session.areas.map((area) =>
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "checkbox",
          value: area.id,
          checked: chosen.has(area.id),
          onchange: (event) => (event.target.checked ? chosen.add(area.id) : chosen.delete(area.id)),
        }),
        h("span", { text: area.name }),
      ),
    );
    const frequency = h(
      "select",
      { "aria-label": t("subs_frequency"), name: "frequency" },
      app.session.frequencies.map((value) =>
        h("option", { value, text: t("freq_" + value), selected: value === current.frequency }),
      ),
    );
    const weekday = h(
      "select",
      { "aria-label": t("subs_weekday"), name: "weekday" },
      [0, 1, 2, 3, 4, 5, 6].map((day) =>
        h("option", { value: String(day), text: t("weekday_" + day), selected: day === current.weekday }),
      ),
    );
    const hour = h(
      "select",
      { "aria-label": t("subs_hour", { zone: current.timezone }), name: "hour" },
      Array.from({ length: 24 }, (_, value) =>
        h("option", {
          value: String(value),
          text: String(value).padStart(2, "0") + ":00",
          selected: value === current.hour,
        }),
      ),
    );
    const weekdayField = h("label", { class: "field" }, h("span", { text: t("subs_weekday") }), weekday);
    const showWeekday = () => (weekdayField.hidden = frequency.value !== "weekly");
    frequency.addEventListener("change", showWeekday);
    showWeekday();
    const next = h("p", { class: "hint next" });
    // The schedule as it is now (following or unfollowing a topic may switch it on or off).
    const showNext = (now) =>
      (next.textContent = now.active && now.next_due
        ? t("subs_next", { when: when(now.next_due, now.timezone) })
        : t("subs_none"));
    showNext(current);
    async function save() {
      status.textContent = t("loading");
      try {
        const saved = await api("/api/subscriptions", {
          method: "PUT",
          body: {
            areas: app.session.areas.map((area) => area.id).filter((id) => chosen.has(id)),
            frequency: frequency.value,
            weekday: Number(weekday.value),
            hour: Number(hour.value),
          },
        });
        body.replaceChildren(...screen(saved));
        status.textContent = t("subs_saved");
      } catch (error) {
        status.textContent = app.errorText(error);
      }
    }
    const element = h(
      "form",
      { class: "subs", onsubmit: (event) => { event.preventDefault(); save(); } },
      h("p", { class: "hint", text: t("subs_intro") }),
      h("fieldset", {}, h("legend", { text: t("subs_areas") }), areaBoxes),
      h("label", { class: "field" }, h("span", { text: t("subs_frequency") }), frequency),
      weekdayField,
      h("label", { class: "field" }, h("span", { text: t("subs_hour", { zone: current.timezone }) }), hour),
      next,
      h("button", { class: "button", type: "submit", text: t("subs_save") }),
    );
    return { element, showNext };
  }

  // The areas and schedule form, then the followed topics (which share the schedule).
  function screen(current) {
    const schedule = form(current);
    return [schedule.element, topicsSection(app, current, schedule.showNext)];
  }

  api("/api/subscriptions")
    .then((current) => body.replaceChildren(...screen(current)))
    .catch((error) => body.replaceChildren(h("p", { class: "status", text: app.errorText(error) })));
  return { element: h("section", { class: "screen" }, h("h1", { text: t("subs_title") }), body, status) };
}
