// The provider's schedules with their approval status and the agency's note; each opens its own page.

import { app } from "../app.js";
import { gql } from "../api.js";
import { fill, h } from "../dom.js";
import { code, formatDateTime, t } from "../i18n.js";

const QUERY = `query { benefitSchedules(first: 100) { nodes { id name approvalStatus reviewerNote benefitName
  timeZone frequency weekdays firstStart capacity placesLeft facility { name } } } }`;

export async function schedulesView(container) {
  const schedules = (await gql(QUERY)).benefitSchedules.nodes;
  const admin = app.viewer.role === "PROVIDER_ADMIN";
  fill(container, 
    h("h1", {}, t("schedules.title")),
    admin
      ? h("p", {}, h("a", { class: "button", href: "#/schedules/new" }, t("schedules.new")))
      : h("p", { class: "meta" }, t("schedules.adminsOnly")),
    schedules.length
      ? h(
          "ul",
          { class: "cards" },
          schedules.map((s) =>
            h(
              "li",
              { class: "card" },
              h("h2", {}, h("a", { href: `#/schedules/${s.id}` }, s.name)),
              h(
                "p",
                { class: "badges" },
                h("span", { class: `badge approval-${s.approvalStatus.toLowerCase()}` }, code(s.approvalStatus)),
                h("span", { class: "badge" }, code(s.frequency)),
                s.weekdays.length ? h("span", { class: "badge" }, s.weekdays.map(code).join(" ")) : null,
              ),
              h("p", {}, s.benefitName, " — ", s.facility.name),
              h(
                "p",
                { class: "meta" },
                t("schedules.firstSession", { when: formatDateTime(localAsUtc(s.firstStart), "UTC") }),
                " · ",
                t("schedules.capacity", { capacity: s.capacity }),
              ),
              s.reviewerNote ? h("p", { class: "note" }, t("schedules.note", { note: s.reviewerNote })) : null,
            ),
          ),
        )
      : h("p", { class: "empty" }, t("schedules.empty")),
  );
}

// A schedule's first start is a wall-clock time without an offset: show it as written.
function localAsUtc(wallClock) {
  return `${wallClock.slice(0, 19)}Z`;
}
