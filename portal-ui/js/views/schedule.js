// One schedule: its status and recurrence, what can be done in that status (edit and submit a draft or a rejected
// one, withdraw a pending one to edit it), its sessions (upcoming first, ten until asked for all), the waitlist in
// its order with "Promote" (disabled, with the reason, while no place is free), and who is enrolled. Re-read after every action, so it
// always shows what the server holds.

import { announce, app, problem } from "../app.js";
import { gql } from "../api.js";
import { fill, h } from "../dom.js";
import { code, formatDate, formatDateTime, formatTime, t } from "../i18n.js";

const PEOPLE = `totalCount nodes { id fromDate referralId session { startsAt } participant { preferredName } }`;
const QUERY = `query Schedule($id: ID!) {
  benefitSchedule(id: $id) { id name approvalStatus reviewerNote version benefitName timeZone frequency interval
    weekdays monthDay until count firstStart firstEnd capacity placesLeft submittedAt facility { name timeZone }
    sessions { id startsAt status enrolledCount } }
  enrolled: scheduleAssignments(scheduleId: $id, statuses: [ENROLLED], first: 100) { ${PEOPLE} }
  waitlist: scheduleAssignments(scheduleId: $id, statuses: [WAITLISTED], first: 100) { ${PEOPLE} } }`;
const SUBMIT = `mutation Submit($id: ID!) { submitBenefitSchedule(id: $id) {
  schedule { id } errors { code field message } } }`;
const WITHDRAW = `mutation Withdraw($id: ID!, $version: Int) { withdrawBenefitSchedule(id: $id, expectedVersion: $version) {
  schedule { id } errors { code field message } } }`;
const PROMOTE = `mutation Promote($id: ID!) { promoteFromWaitlist(id: $id) {
  scheduleAssignment { id } errors { code field message } } }`;
const SHOWN_SESSIONS = 10;

// A message for the next time a schedule is drawn (the form sets it before coming here): shown, focused, announced.
let pending = null;

export function confirmOnSchedulePage(text, ok = true) {
  pending = { text, ok };
}

export async function scheduleView(container, id) {
  const data = await gql(QUERY, { id });
  const result = pending;
  pending = null;
  draw(container, data, result);
}

async function reload(container, id, result) {
  try {
    draw(container, await gql(QUERY, { id }), result);
  } catch (error) {
    draw(container, null, { text: problem(error), ok: false });
  }
}

function draw(container, data, result) {
  if (!data) {
    const notice = h("div", { class: "notice error", role: "alert" }, result.text);
    container.prepend(notice);
    return;
  }
  const s = data.benefitSchedule;
  const zone = s.timeZone;
  const admin = app.viewer.role === "PROVIDER_ADMIN";
  const notice = result
    ? h("p", { class: `notice ${result.ok ? "success" : "error"} schedule-result`, tabindex: "-1" }, result.text)
    : null;

  const act = async (document, variables, payloadName, done) => {
    for (const button of container.querySelectorAll("button")) button.disabled = true;
    try {
      const answer = (await gql(document, variables))[payloadName];
      if (answer.errors.length) return reload(container, s.id, { text: answer.errors.map((e) => e.message).join(" "), ok: false });
      return reload(container, s.id, { text: done, ok: true });
    } catch (error) {
      return reload(container, s.id, { text: problem(error), ok: false });
    }
  };

  fill(
    container,
    h("p", { class: "back" }, h("a", { href: "#/schedules" }, "← ", t("schedules.title"))),
    h("h1", {}, s.name),
    notice,
    h(
      "p",
      { class: "badges" },
      h("span", { class: `badge approval-${s.approvalStatus.toLowerCase()}` }, code(s.approvalStatus)),
    ),
    h(
      "dl",
      { class: "facts card" },
      fact(t("schedule.benefit"), s.benefitName),
      fact(t("schedule.facility"), s.facility.name),
      fact(t("schedule.timeZone"), zone),
      fact(t("schedule.recurrence"), recurrence(s)),
      fact(
        t("schedule.firstSession"),
        `${formatDateTime(asWritten(s.firstStart), "UTC")}–${formatTime(asWritten(s.firstEnd), "UTC")}`,
      ),
      fact(t("schedule.places"), t("schedules.capacity", { capacity: s.capacity })),
      s.submittedAt ? fact(t("schedule.submittedAt"), formatDateTime(s.submittedAt)) : null,
      s.reviewerNote ? fact(t("schedule.note"), s.reviewerNote) : null,
    ),
    actions(s, admin, act, container),
    sessionsSection(s),
    // Nobody enrolls before approval: the lists come with the sessions.
    s.approvalStatus === "APPROVED" || data.waitlist.totalCount ? waitlistSection(data.waitlist, s, zone, act) : null,
    s.approvalStatus === "APPROVED" || data.enrolled.totalCount ? enrolledSection(data.enrolled, zone) : null,
  );
  if (notice) {
    announce(result.text);
    // After the shell has focused the heading (it does once the view is drawn), the result takes the focus.
    setTimeout(() => notice.isConnected && notice.focus(), 0);
  }
}

// A schedule's first start and end are wall-clock times without an offset: shown as written.
function asWritten(wallClock) {
  return `${wallClock.slice(0, 19)}Z`;
}

function fact(term, value) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

function recurrence(s) {
  const parts = [code(s.frequency)];
  if (s.weekdays.length) parts.push(s.weekdays.map(code).join(", "));
  if (s.interval > 1) parts.push(t("schedule.every", { interval: s.interval }));
  if (s.frequency !== "ONCE") {
    if (s.count) parts.push(t("schedule.count", { count: s.count }));
    else if (s.until) parts.push(t("schedule.until", { date: formatDate(s.until) }));
  }
  return parts.join(" · ");
}

function actions(s, admin, act, container) {
  const status = s.approvalStatus;
  if (status === "APPROVED") return null;
  if (!admin) return h("p", { class: "meta" }, t("schedules.adminsOnly"));
  if (status === "DRAFT" || status === "REJECTED") {
    return h(
      "div",
      { class: "buttons" },
      h("a", { class: "button secondary-link", href: `#/schedules/${s.id}/edit` }, t("schedule.edit")),
      h(
        "button",
        { type: "button", onclick: () => act(SUBMIT, { id: s.id }, "submitBenefitSchedule", t("form.submitted")) },
        t("form.submit"),
      ),
    );
  }
  if (status === "PENDING") {
    const box = h("div", { class: "schedule-actions" });
    const ask = () => {
      const question = h("p", { id: "withdraw-question" }, t("schedule.withdrawQuestion"));
      const no = h("button", { type: "button", class: "secondary", onclick: () => fill(box, withdrawButton) }, t("schedule.keep"));
      fill(
        box,
        h(
          "div",
          { class: "confirm card", role: "group", "aria-labelledby": "withdraw-question" },
          question,
          h(
            "div",
            { class: "buttons" },
            h(
              "button",
              {
                type: "button",
                onclick: () =>
                  act(WITHDRAW, { id: s.id, version: s.version }, "withdrawBenefitSchedule", t("schedule.withdrawn")),
              },
              t("schedule.withdrawYes"),
            ),
            no,
          ),
        ),
      );
      no.focus();
    };
    const withdrawButton = h("p", {}, h("button", { type: "button", class: "secondary", onclick: ask }, t("schedule.withdraw")));
    return fill(box, h("p", { class: "meta" }, t("schedule.pendingHint")), withdrawButton);
  }
  return null;
}

function section(id, title, ...body) {
  return h("section", { "aria-labelledby": id, class: "schedule-section" }, h("h2", { id }, title), ...body);
}

function sessionsSection(s) {
  const zone = s.timeZone;
  if (!s.sessions.length) {
    return section("schedule-sessions", t("schedule.sessions"), h("p", { class: "empty" }, t("schedule.noSessions")));
  }
  const now = Date.now();
  const upcoming = s.sessions.filter((x) => Date.parse(x.startsAt) >= now);
  const past = s.sessions.filter((x) => Date.parse(x.startsAt) < now).reverse();
  const row = (x) =>
    h(
      "li",
      {},
      h("a", { href: `#/sessions/${x.id}` }, formatDateTime(x.startsAt, zone)),
      h(
        "span",
        { class: "badges" },
        h("span", { class: `badge session-${x.status.toLowerCase()}` }, code(x.status)),
        h("span", { class: "badge" }, t("sessions.enrolled", { enrolled: x.enrolledCount, capacity: s.capacity })),
      ),
    );
  const list = (items, id, title) => {
    if (!items.length) return null;
    const ul = h("ul", { class: "session-rows", id }, items.slice(0, SHOWN_SESSIONS).map(row));
    const more =
      items.length > SHOWN_SESSIONS
        ? h(
            "button",
            {
              type: "button",
              class: "secondary",
              "aria-controls": id,
              onclick: (event) => {
                fill(ul, items.map(row));
                event.currentTarget.remove();
                ul.querySelectorAll("a")[SHOWN_SESSIONS]?.focus();
              },
            },
            t("schedule.allSessions", { count: items.length }),
          )
        : null;
    return [h("h3", { class: "session-day" }, title, " (", items.length, ")"), ul, more];
  };
  return section(
    "schedule-sessions",
    t("schedule.sessions"),
    list(upcoming, "schedule-upcoming", t("schedule.upcoming")),
    list(past, "schedule-past", t("schedule.past")),
  );
}

function when(row, zone) {
  return row.session
    ? t("schedule.oneSession", { when: formatDateTime(row.session.startsAt, zone) })
    : t("schedule.fromDate", { date: formatDate(row.fromDate) });
}

function enrolledSection(enrolled, zone) {
  const body = enrolled.nodes.length
    ? h(
        "ul",
        { class: "people-rows" },
        enrolled.nodes.map((row) =>
          h(
            "li",
            {},
            h("a", { href: `#/referrals/${row.referralId}` }, row.participant.preferredName),
            h("span", { class: "meta" }, when(row, zone)),
          ),
        ),
      )
    : h("p", { class: "empty" }, t("schedule.nobody"));
  return section("schedule-enrolled", t("schedule.enrolled", { count: enrolled.totalCount }), body, shownOf(enrolled));
}

function waitlistSection(waitlist, s, zone, act) {
  const full = !s.placesLeft;
  const reason = full ? h("p", { class: "hint", id: "promote-reason" }, t("schedule.fullReason")) : null;
  const body = waitlist.nodes.length
    ? h(
        "ol",
        { class: "people-rows" },
        waitlist.nodes.map((row) =>
          h(
            "li",
            {},
            h("a", { href: `#/referrals/${row.referralId}` }, row.participant.preferredName),
            h("span", { class: "meta" }, when(row, zone)),
            h(
              "button",
              {
                type: "button",
                class: "secondary promote",
                disabled: full,
                "aria-describedby": full ? "promote-reason" : null,
                "aria-label": t("schedule.promoteName", { name: row.participant.preferredName }),
                onclick: () =>
                  act(
                    PROMOTE,
                    { id: row.id },
                    "promoteFromWaitlist",
                    t("schedule.promoted", { name: row.participant.preferredName }),
                  ),
              },
              t("schedule.promote"),
            ),
          ),
        ),
      )
    : h("p", { class: "empty" }, t("schedule.noWaitlist"));
  return section(
    "schedule-waitlist",
    t("schedule.waitlist", { count: waitlist.totalCount }),
    waitlist.nodes.length ? [h("p", { class: "meta" }, t("schedule.placesLeft", { places: s.placesLeft ?? 0 })), reason] : null,
    body,
    shownOf(waitlist),
  );
}

function shownOf(list) {
  return list.totalCount > list.nodes.length
    ? h("p", { class: "meta" }, t("inbox.shown", { count: list.nodes.length, total: list.totalCount }))
    : null;
}
