// The provider's sessions: those whose attendance is due (held, not yet taken) first, then today's, the coming
// week's grouped by day, and the past two weeks' taken ones (to correct attendance). Filters by schedule and
// facility narrow every list.

import { gql } from "../api.js";
import { field, fill, h } from "../dom.js";
import { addDays, code, dayIn, formatDateTime, formatTime, language, startOfDay, t, today } from "../i18n.js";

const QUERY = `query Sessions($from: DateTime!) { benefitSessions(startsAfter: $from, first: 100) { nodes {
  id startsAt endsAt status enrolledCount schedule { name timeZone capacity facility { name } } } } }`;

export async function sessionsView(container) {
  // Days are the provider's (not the browser's); a session is today when it is today where it happens.
  const from = startOfDay(addDays(today(), -14));
  const sessions = (await gql(QUERY, { from })).benefitSessions.nodes;
  const choices = (pick) => [...new Set(sessions.map(pick))].sort((a, b) => a.localeCompare(b));
  const select = (id, label, values) =>
    field(
      label,
      h(
        "select",
        { id, onchange: () => draw() },
        h("option", { value: "" }, t("sessions.any")),
        values.map((value) => h("option", { value }, value)),
      ),
    );
  const bySchedule = select("sessions-schedule", t("sessions.schedule"), choices((s) => s.schedule.name));
  const byFacility = select("sessions-facility", t("sessions.facility"), choices((s) => s.schedule.facility.name));
  const lists = h("div", {});
  const draw = () => {
    const schedule = bySchedule.querySelector("select").value;
    const facility = byFacility.querySelector("select").value;
    const shown = sessions.filter(
      (s) => (!schedule || s.schedule.name === schedule) && (!facility || s.schedule.facility.name === facility),
    );
    fill(lists, sections(shown));
  };
  fill(
    container,
    h("h1", {}, t("sessions.title")),
    h("div", { class: "sessions-filters" }, bySchedule, byFacility),
    lists,
  );
  draw();
}

function sections(sessions) {
  const day = (s) => dayIn(s.startsAt, s.schedule.timeZone);
  const todayThere = (s) => today(s.schedule.timeZone);
  const now = Date.now();
  const due = (s) =>
    s.status === "SCHEDULED" && (day(s) < todayThere(s) || (day(s) === todayThere(s) && Date.parse(s.startsAt) <= now));
  const weekAhead = (s) => day(s) > todayThere(s) && day(s) <= addDays(todayThere(s), 7);
  const groups = [
    ["sessions.due", sessions.filter(due).reverse(), false],
    ["sessions.today", sessions.filter((s) => day(s) === todayThere(s) && !due(s)), false],
    ["sessions.upcoming", sessions.filter(weekAhead), true],
    ["sessions.recent", sessions.filter((s) => day(s) < todayThere(s) && !due(s)).reverse(), true],
  ];
  return groups.map(([key, list, byDay], index) => {
    const id = `sessions-${index}`;
    const row = (s) =>
      h(
        "li",
        { class: "session" },
        h(
          "a",
          { href: `#/sessions/${s.id}` },
          key === "sessions.today" || byDay
            ? formatTime(s.startsAt, s.schedule.timeZone)
            : formatDateTime(s.startsAt, s.schedule.timeZone),
          " — ",
          s.schedule.name,
        ),
        h("span", { class: "meta" }, s.schedule.facility.name),
        h(
          "span",
          { class: "badges" },
          h("span", { class: `badge session-${s.status.toLowerCase()}` }, code(s.status)),
          h("span", { class: "badge" }, t("sessions.enrolled", { enrolled: s.enrolledCount, capacity: s.schedule.capacity })),
        ),
      );
    let body;
    if (!list.length) body = h("p", { class: "empty" }, t("sessions.none"));
    else if (!byDay) body = h("ul", { class: "session-rows" }, list.map(row));
    else {
      const days = [...new Set(list.map(day))];
      body = days.map((d) => [
        h("h3", { class: "session-day" }, dayName(d)),
        h("ul", { class: "session-rows" }, list.filter((s) => day(s) === d).map(row)),
      ]);
    }
    return h("section", { "aria-labelledby": id }, h("h2", { id }, t(key)), body);
  });
}

/** A day (YYYY-MM-DD) with its weekday: "Thursday, December 3". */
function dayName(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  const format = new Intl.DateTimeFormat(language(), { weekday: "long", month: "long", day: "numeric", timeZone: "UTC" });
  return format.format(new Date(Date.UTC(year, month - 1, day)));
}
