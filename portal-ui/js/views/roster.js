// A session's roster: one control per person (Present, Absent, Excused), "mark all present", one save.
// A completed session can be corrected the same way. The save button is disabled while saving, so a double
// click records once (and the server would treat a second save as a correction, never a second record).

import { announce, problem } from "../app.js";
import { gql } from "../api.js";
import { clear, fill, h } from "../dom.js";
import { code, formatDateTime, t } from "../i18n.js";

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

function render(container, roster) {
  const { session } = roster;
  const status = h("div", { "aria-live": "polite" });
  const completed = session.status === "COMPLETED";
  const groups = roster.lines.map((line, index) => {
    const name = `mark-${index}`;
    return h(
      "fieldset",
      { class: "mark", "data-participant": line.participantId },
      h("legend", {}, line.participant.preferredName),
      MARKS.map((mark) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: "radio", name, value: mark, checked: line.mark === mark }),
          " ",
          code(mark),
        ),
      ),
    );
  });
  const save = h("button", { type: "submit" }, t("roster.save"));
  const form = h(
    "form",
    {
      class: "card",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        if (save.disabled) return;
        clear(status);
        const marks = groups.map((group) => {
          const chosen = group.querySelector("input:checked");
          return chosen ? { participantId: group.dataset.participant, mark: chosen.value } : null;
        });
        const missing = groups.filter((_, i) => !marks[i]);
        for (const group of groups) group.classList.toggle("invalid", missing.includes(group));
        if (missing.length) {
          status.append(h("div", { class: "notice error", role: "alert" }, t("roster.missing")));
          missing[0].querySelector("input").focus();
          return;
        }
        save.disabled = true;
        save.textContent = t("roster.saving");
        try {
          const payload = (await gql(SAVE, { id: session.id, marks })).takeAttendance;
          if (payload.errors.length) {
            status.append(h("div", { class: "notice error", role: "alert" }, payload.errors[0].message));
            return;
          }
          render(container, { ...roster, session: { ...session, ...payload.roster.session }, lines: payload.roster.lines });
          const message = t("roster.saved", { count: payload.roster.lines.length });
          container.querySelector("[aria-live]").append(h("div", { class: "notice success" }, message));
          announce(message);
        } catch (error) {
          status.append(h("div", { class: "notice error", role: "alert" }, problem(error)));
        } finally {
          save.disabled = false;
          save.textContent = t("roster.save");
        }
      },
    },
    groups,
    h(
      "div",
      { class: "buttons" },
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          onclick: () => {
            for (const group of groups) group.querySelector('input[value="PRESENT"]').checked = true;
          },
        },
        t("roster.markAll"),
      ),
      save,
    ),
  );
  fill(container, 
    h("p", { class: "back" }, h("a", { href: "#/sessions" }, "← ", t("sessions.title"))),
    h("h1", {}, t("roster.title"), " — ", session.schedule.name),
    h(
      "p",
      { class: "meta" },
      formatDateTime(session.startsAt, session.schedule.timeZone),
      " · ",
      session.schedule.facility.name,
      " · ",
      code(session.status),
    ),
    completed ? h("p", { class: "notice" }, t("roster.completed")) : null,
    roster.lines.length ? form : h("p", { class: "empty" }, t("roster.empty")),
    status,
  );
}
