// A session's roster: one compact row per person (Present, Absent, Excused), everyone Present until marked
// otherwise (attendance not yet taken; a saved mark is kept), and a bar that stays on screen while scrolling with
// "mark all present", the count and Save. A completed session can be corrected the same way. A session on a later
// day is shown read-only ("attendance opens on ..."). The save button is disabled while saving, so a double click
// records once (and the server would treat a second save as a correction, never a second record). A print
// stylesheet turns the page into a sign-in sheet: names and a signature column.

import { announce, problem } from "../app.js";
import { gql } from "../api.js";
import { clear, fill, h } from "../dom.js";
import { code, dayIn, formatDate, formatDateTime, t, today } from "../i18n.js";

const MARKS = ["PRESENT", "ABSENT", "EXCUSED"];
const LINES = `lines { participantId mark participant { preferredName } disbursement { status quantity } }`;
const ROSTER = `query Roster($id: ID!) { sessionRoster(sessionId: $id) { capacity
  session { id startsAt status schedule { name timeZone facility { name } } } ${LINES} } }`;
const SAVE = `mutation Save($id: ID!, $marks: [AttendanceInput!]!) { takeAttendance(sessionId: $id, marks: $marks) {
  roster { session { status } ${LINES} } errors { code field message } } }`;

export async function rosterView(container, id) {
  const roster = (await gql(ROSTER, { id })).sessionRoster;
  render(container, roster);
}

/** Names and an empty signature column, shown only when printed. */
function printSheet(roster) {
  return h(
    "table",
    { class: "roster-print" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("roster.name")), h("th", { scope: "col" }, t("roster.signature")))),
    h(
      "tbody",
      {},
      roster.lines.map((line) => h("tr", {}, h("td", {}, line.participant.preferredName), h("td", {}))),
    ),
  );
}

function render(container, roster, saved = null) {
  const { session } = roster;
  const zone = session.schedule.timeZone;
  const completed = session.status === "COMPLETED";
  const day = dayIn(session.startsAt, zone);
  const notYet = day > today(zone); // the server takes attendance on or after the session's day
  const header = [
    h("p", { class: "back" }, h("a", { href: "#/sessions" }, "← ", t("sessions.title"))),
    h("h1", {}, t("roster.title"), " — ", session.schedule.name),
    h(
      "p",
      { class: "meta" },
      formatDateTime(session.startsAt, zone),
      " · ",
      session.schedule.facility.name,
      " · ",
      code(session.status),
    ),
    roster.lines.length
      ? h(
          "p",
          { class: "roster-tools" },
          h("button", { type: "button", class: "secondary", onclick: () => window.print() }, t("roster.print")),
        )
      : null,
  ];
  if (!roster.lines.length) {
    fill(container, header, h("p", { class: "empty" }, t("roster.empty")));
    return;
  }
  if (notYet) {
    fill(
      container,
      header,
      h("p", { class: "notice roster-closed" }, t("roster.opensOn", { date: formatDate(day) })),
      h(
        "ul",
        { class: "roster-names card" },
        roster.lines.map((line) => h("li", {}, line.participant.preferredName)),
      ),
      printSheet(roster),
    );
    return;
  }
  const groups = roster.lines.map((line, index) => {
    const name = `mark-${index}`;
    const chosen = line.mark ?? "PRESENT"; // not yet marked: present unless changed
    return h(
      "fieldset",
      { class: "mark", "data-participant": line.participantId },
      h("legend", {}, line.participant.preferredName),
      h(
        "span",
        { class: "choices" },
        MARKS.map((mark) =>
          h(
            "label",
            { class: "choice" },
            h("input", { type: "radio", name, value: mark, checked: chosen === mark }),
            " ",
            code(mark),
          ),
        ),
      ),
    );
  });
  const count = h("p", { class: "roster-count" });
  const countMarks = () => {
    const tally = { PRESENT: 0, ABSENT: 0, EXCUSED: 0, none: 0 };
    for (const group of groups) tally[group.querySelector("input:checked")?.value ?? "none"] += 1;
    const parts = [t("roster.present", { count: tally.PRESENT }), t("roster.absent", { count: tally.ABSENT })];
    if (tally.EXCUSED) parts.push(t("roster.excused", { count: tally.EXCUSED }));
    if (tally.none) parts.push(t("roster.unmarked", { count: tally.none }));
    count.textContent = parts.join(", ");
  };
  countMarks();
  const message = h("div", { class: "roster-message" });
  const say = (kind, text) => {
    const note = h("p", { class: `notice ${kind}`, tabindex: "-1", role: kind === "error" ? "alert" : null }, text);
    fill(message, note);
    note.focus();
    return note;
  };
  const save = h("button", { type: "submit" }, t("roster.save"));
  const form = h(
    "form",
    {
      class: "roster",
      novalidate: true,
      onchange: countMarks,
      onsubmit: async (event) => {
        event.preventDefault();
        if (save.disabled) return;
        clear(message);
        const marks = groups.map((group) => {
          const chosen = group.querySelector("input:checked");
          return chosen ? { participantId: group.dataset.participant, mark: chosen.value } : null;
        });
        const missing = groups.filter((_, i) => !marks[i]);
        for (const group of groups) group.classList.toggle("invalid", missing.includes(group));
        if (missing.length) {
          say("error", t("roster.missing"));
          return;
        }
        save.disabled = true;
        save.textContent = t("roster.saving");
        try {
          const payload = (await gql(SAVE, { id: session.id, marks })).takeAttendance;
          if (payload.errors.length) {
            say("error", payload.errors[0].message);
            return;
          }
          const text = t("roster.saved", { count: payload.roster.lines.length });
          render(
            container,
            { ...roster, session: { ...session, ...payload.roster.session }, lines: payload.roster.lines },
            text,
          );
          announce(text);
        } catch (error) {
          say("error", problem(error));
        } finally {
          save.disabled = false;
          save.textContent = t("roster.save");
        }
      },
    },
    h("div", { class: "roster-rows" }, groups),
    h(
      "div",
      { class: "roster-bar" },
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          onclick: () => {
            for (const group of groups) group.querySelector('input[value="PRESENT"]').checked = true;
            countMarks();
          },
        },
        t("roster.markAll"),
      ),
      count,
      message,
      save,
    ),
  );
  fill(
    container,
    header,
    completed ? h("p", { class: "notice" }, t("roster.completed")) : null,
    form,
    printSheet(roster),
  );
  if (saved) say("success", saved);
}
