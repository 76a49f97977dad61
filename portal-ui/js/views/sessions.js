// Today's and upcoming sessions, and the past two weeks' (to take or correct attendance).

import { gql } from "../api.js";
import { fill, h } from "../dom.js";
import { addDays, code, dayIn, formatDateTime, formatTime, startOfDay, t, today } from "../i18n.js";

const QUERY = `query Sessions($from: DateTime!) { benefitSessions(startsAfter: $from, first: 100) { nodes {
  id startsAt endsAt status enrolledCount schedule { name timeZone capacity facility { name } } } } }`;

export async function sessionsView(container) {
  // Days are the provider's (not the browser's); a session is today when it is today where it happens.
  const from = startOfDay(addDays(today(), -14));
  const sessions = (await gql(QUERY, { from })).benefitSessions.nodes;
  const day = (s) => dayIn(s.startsAt, s.schedule.timeZone);
  const todayThere = (s) => today(s.schedule.timeZone);
  const groups = [
    ["sessions.today", sessions.filter((s) => day(s) === todayThere(s))],
    ["sessions.upcoming", sessions.filter((s) => day(s) > todayThere(s)).slice(0, 30)],
    ["sessions.recent", sessions.filter((s) => day(s) < todayThere(s)).reverse()],
  ];
  fill(container, 
    h("h1", {}, t("sessions.title")),
    groups.map(([key, list], index) => {
      const id = `sessions-${index}`;
      return h(
        "section",
        { "aria-labelledby": id },
        h("h2", { id }, t(key)),
        list.length
          ? h(
              "ul",
              { class: "cards" },
              list.map((s) =>
                h(
                  "li",
                  { class: "card session" },
                  h(
                    "a",
                    { href: `#/sessions/${s.id}` },
                    key === "sessions.today"
                      ? formatTime(s.startsAt, s.schedule.timeZone)
                      : formatDateTime(s.startsAt, s.schedule.timeZone),
                    " — ",
                    s.schedule.name,
                  ),
                  h(
                    "p",
                    { class: "badges" },
                    h("span", { class: `badge session-${s.status.toLowerCase()}` }, code(s.status)),
                    h(
                      "span",
                      { class: "badge" },
                      t("sessions.enrolled", { enrolled: s.enrolledCount, capacity: s.schedule.capacity }),
                    ),
                  ),
                  h("p", { class: "meta" }, s.schedule.facility.name),
                ),
              ),
            )
          : h("p", { class: "empty" }, t("sessions.none")),
      );
    }),
  );
}
