// Today's and upcoming sessions, and the past two weeks' (to take or correct attendance).

import { gql } from "../api.js";
import { fill, h } from "../dom.js";
import { code, formatDateTime, formatTime, t } from "../i18n.js";

const QUERY = `query Sessions($from: DateTime!) { benefitSessions(startsAfter: $from, first: 100) { nodes {
  id startsAt endsAt status enrolledCount schedule { name timeZone capacity facility { name } } } } }`;
const DAY_MS = 24 * 60 * 60 * 1000;

export async function sessionsView(container) {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const from = new Date(midnight.getTime() - 14 * DAY_MS);
  const sessions = (await gql(QUERY, { from: from.toISOString() })).benefitSessions.nodes;
  const tomorrow = midnight.getTime() + DAY_MS;
  const when = (s) => new Date(s.startsAt).getTime();
  const groups = [
    ["sessions.today", sessions.filter((s) => when(s) >= midnight.getTime() && when(s) < tomorrow)],
    ["sessions.upcoming", sessions.filter((s) => when(s) >= tomorrow).slice(0, 30)],
    ["sessions.recent", sessions.filter((s) => when(s) < midnight.getTime()).reverse()],
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
