// One referral: the client as shared, the benefit, the caseworker's notes, the history; the actions legal now;
// and, once accepted and authorized, enrollment into a schedule (from a date) or a single session.

import { announce, problem } from "../app.js";
import { gql } from "../api.js";
import { clear, clearFieldErrors, field, fill, h, showFieldError, uid } from "../dom.js";
import { code, formatDate, formatDateTime, t, today } from "../i18n.js";

const FIELDS = `id status statusReason authorizationStatus priority notes version isNew isOverdue sentAt deliverable
  availableActions referredBy agencyName facility { name }
  sharedParticipant { preferredName phone email birthDate addressLine1 addressLine2 city region postalCode
    preferredLanguage alerts { text severity } attendance { sessionsPresent sessionsAbsent } }
  benefit { id name unitOfMeasure requiresAuthorization }
  history { kind fromStatus toStatus fromAuthorizationStatus toAuthorizationStatus reason note actorName occurredAt }`;
const OPEN = `mutation Open($id: ID!) { openReferral(id: $id) { referral { ${FIELDS} } errors { code message } } }`;
const ACTIONS = {
  ACCEPT: "acceptReferral",
  REJECT: "rejectReferral",
  HOLD: "holdReferral",
  START: "startReferral",
  COMPLETE: "completeReferral",
  FAIL: "failReferral",
  REQUEST_AUTHORIZATION: "requestAuthorization",
};
const NEEDS_REASON = new Set(["REJECT", "HOLD", "FAIL"]);
const REASONS = [
  "NO_CAPACITY",
  "NOT_ELIGIBLE",
  "COULD_NOT_CONTACT",
  "CLIENT_DECLINED",
  "SERVICE_NOT_OFFERED",
  "CLIENT_NEEDS_CHANGED",
  "DUPLICATE",
  "OTHER",
];

export async function referralView(container, id) {
  const data = await gql(OPEN, { id });
  const payload = data.openReferral;
  if (payload.errors.length) {
    const notFound = payload.errors[0].code === "NOT_FOUND";
    fill(container, 
      h("h1", {}, t("referral.client")),
      h("div", { class: "notice error", role: "alert" }, notFound ? t("error.not-found") : payload.errors[0].message),
    );
    return;
  }
  render(container, payload.referral);
}

function render(container, referral) {
  const person = referral.sharedParticipant;
  fill(container, 
    h("p", { class: "back" }, h("a", { href: "#/inbox" }, "← ", t("nav.inbox"))),
    h("h1", {}, person.preferredName, " — ", referral.benefit.name),
    h(
      "p",
      { class: "badges" },
      h("span", { class: `badge status-${referral.status.toLowerCase()}` }, code(referral.status)),
      referral.isOverdue ? h("span", { class: "badge overdue" }, t("inbox.overdue")) : null,
    ),
    h(
      "dl",
      { class: "facts" },
      fact(t("referral.status"), code(referral.status)),
      fact(t("referral.authorization"), code(referral.authorizationStatus)),
      fact(t("referral.priority"), code(referral.priority)),
      referral.facility ? fact(t("referral.facility"), referral.facility.name) : null,
    ),
    actions(container, referral),
    enrollment(referral),
    clientSection(person),
    h(
      "section",
      { "aria-labelledby": "benefit-heading" },
      h("h2", { id: "benefit-heading" }, t("referral.benefit")),
      h("p", {}, referral.benefit.name, ` (${t("referral.unit")}: ${referral.benefit.unitOfMeasure})`),
      referral.benefit.requiresAuthorization ? h("p", {}, t("referral.needsAuthorization")) : null,
    ),
    h(
      "section",
      { "aria-labelledby": "notes-heading" },
      h("h2", { id: "notes-heading" }, t("referral.notes")),
      h("p", { class: "notes" }, referral.notes || t("referral.noNotes")),
      h("p", { class: "meta" }, t("referral.referredBy", { name: referral.referredBy, agency: referral.agencyName })),
    ),
    history(referral),
  );
}

function fact(term, value) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

function clientSection(person) {
  const address = [person.addressLine1, person.addressLine2, person.city, person.region, person.postalCode]
    .filter(Boolean)
    .join(", ");
  const facts = [
    person.phone && fact(t("referral.phone"), person.phone),
    person.email && fact(t("referral.email"), person.email),
    person.birthDate && fact(t("referral.birthDate"), formatDate(person.birthDate)),
    address && fact(t("referral.address"), address),
    person.preferredLanguage && fact(t("referral.language"), person.preferredLanguage),
  ].filter(Boolean);
  return h(
    "section",
    { "aria-labelledby": "client-heading" },
    h("h2", { id: "client-heading" }, t("referral.client")),
    facts.length ? h("dl", { class: "facts" }, facts) : h("p", {}, t("referral.notShared")),
    person.alerts && person.alerts.length
      ? [
          h("h3", {}, t("referral.alerts")),
          h(
            "ul",
            { class: "alerts" },
            person.alerts.map((a) => h("li", { class: `alert-${a.severity.toLowerCase()}` }, a.text)),
          ),
        ]
      : null,
    h(
      "p",
      { class: "meta" },
      t("referral.attendance", {
        present: person.attendance.sessionsPresent,
        absent: person.attendance.sessionsAbsent,
      }),
    ),
  );
}

function history(referral) {
  return h(
    "section",
    { "aria-labelledby": "history-heading" },
    h("h2", { id: "history-heading" }, t("referral.history")),
    h(
      "ol",
      { class: "history" },
      referral.history.map((entry) => {
        // A status change, or (kind AUTHORIZATION) a change of the agency's authorization.
        const authorization = entry.kind === "AUTHORIZATION";
        const from = authorization ? entry.fromAuthorizationStatus : entry.fromStatus;
        const to = authorization ? entry.toAuthorizationStatus : entry.toStatus;
        return h(
          "li",
          {},
          h("time", { datetime: entry.occurredAt }, formatDateTime(entry.occurredAt)),
          " — ",
          authorization ? `${t("referral.authorization")}: ` : "",
          from ? `${code(from)} → ` : "",
          code(to),
          ` (${entry.actorName})`,
          entry.reason ? ` — ${code(entry.reason)}` : "",
          entry.note ? ` — ${entry.note}` : "",
        );
      }),
    ),
  );
}

function actions(container, referral) {
  const section = h(
    "section",
    { "aria-labelledby": "actions-heading", class: "actions" },
    h("h2", { id: "actions-heading" }, t("referral.actions")),
  );
  const available = referral.availableActions.filter((a) => ACTIONS[a]);
  if (!available.length) {
    section.append(h("p", {}, t("referral.noActions")));
    return section;
  }
  const area = h("div", {});
  section.append(
    h(
      "div",
      { class: "buttons" },
      available.map((action) =>
        h(
          "button",
          {
            type: "button",
            class: action === "REJECT" || action === "FAIL" ? "secondary" : null,
            "data-action": action,
            onclick: () =>
              NEEDS_REASON.has(action)
                ? reasonForm(area, container, referral, action)
                : act(container, referral, action, {}, area),
          },
          code(action),
        ),
      ),
    ),
    area,
  );
  return section;
}

function reasonForm(area, container, referral, action) {
  const reason = h(
    "select",
    { "data-field": "reason", required: true },
    h("option", { value: "" }, t("referral.chooseReason")),
    REASONS.map((r) => h("option", { value: r }, code(r))),
  );
  const note = h("textarea", { "data-field": "note", rows: 3, maxlength: 2000 });
  const form = h(
    "form",
    {
      class: "card",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        clearFieldErrors(form);
        if (!reason.value) {
          showFieldError(form, "reason", t("referral.reasonRequired"));
          reason.focus();
          return;
        }
        await act(container, referral, action, { reason: reason.value, note: note.value.trim() || null }, form);
      },
    },
    h("h3", {}, code(action)),
    field(t("referral.reason"), reason),
    field(t("referral.note"), note),
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "submit" }, t("referral.confirm")),
      h("button", { type: "button", class: "secondary", onclick: () => clear(area) }, t("referral.cancel")),
    ),
  );
  fill(area, form);
  reason.focus();
}

async function act(container, referral, action, values, place) {
  const mutation = ACTIONS[action];
  const withVersion = action !== "REQUEST_AUTHORIZATION";
  // Only the steps that need a reason take one (the API refuses a reason elsewhere).
  const withReason = NEEDS_REASON.has(action);
  const declared = `$id: ID!${withReason ? ", $reason: ReasonCode" : ""}, $note: String${withVersion ? ", $version: Int" : ""}`;
  const document = `mutation Act(${declared}) {
    ${mutation}(id: $id${withReason ? ", reason: $reason" : ""}, note: $note${withVersion ? ", expectedVersion: $version" : ""}) {
      referral { ${FIELDS} } errors { code field message } } }`;
  for (const button of container.querySelectorAll("button")) button.disabled = true;
  try {
    const data = await gql(document, {
      id: referral.id,
      ...(withReason ? { reason: values.reason || null } : {}),
      note: values.note || null,
      ...(withVersion ? { version: referral.version } : {}),
    });
    const payload = data[mutation];
    if (payload.errors.length) {
      for (const button of container.querySelectorAll("button")) button.disabled = false;
      const error = payload.errors[0];
      if (!(place.tagName === "FORM" && showFieldError(place, error.field, error.message))) {
        place.append(h("div", { class: "notice error", role: "alert" }, error.message));
      }
      return;
    }
    render(container, payload.referral);
    announce(t("referral.done", { status: code(payload.referral.status) }));
    container.querySelector("h1").focus();
  } catch (error) {
    for (const button of container.querySelectorAll("button")) button.disabled = false;
    place.append(h("div", { class: "notice error", role: "alert" }, problem(error)));
  }
}

function enrollment(referral) {
  const section = h(
    "section",
    { "aria-labelledby": "enroll-heading" },
    h("h2", { id: "enroll-heading" }, t("enroll.title")),
  );
  if (!referral.deliverable) {
    section.append(h("p", {}, t("enroll.notYet")));
    return section;
  }
  const body = h("div", {}, h("p", {}, t("app.loading")));
  section.append(body);
  loadEnrollment(body, referral).catch((error) =>
    fill(body, h("div", { class: "notice error", role: "alert" }, problem(error))),
  );
  return section;
}

const SCHEDULES = `query Enroll($referral: ID!) {
  benefitSchedules(filter: {statuses: [APPROVED]}, first: 100) { nodes { id name capacity placesLeft benefitId
    timeZone facility { name } } }
  scheduleAssignments(referralId: $referral) { nodes { id status fromDate schedule { name timeZone }
    session { startsAt } } } }`;
const SESSIONS = `query Sessions($id: ID!) { benefitSchedule(id: $id) { sessions { id startsAt status enrolledCount } } }`;
const ENROLL = `mutation Enroll($input: ScheduleEnrollmentInput!) { enrollInSchedule(input: $input) {
  scheduleAssignment { id status schedule { name } } errors { code field message } } }`;

async function loadEnrollment(body, referral) {
  const data = await gql(SCHEDULES, { referral: referral.id });
  const schedules = data.benefitSchedules.nodes.filter((s) => s.benefitId === referral.benefit.id);
  const current = h(
    "ul",
    { class: "enrollments" },
    data.scheduleAssignments.nodes.map((a) =>
      h(
        "li",
        {},
        a.schedule.name,
        " — ",
        a.session ? formatDateTime(a.session.startsAt, a.schedule.timeZone) : formatDate(a.fromDate),
        ` (${code(a.status)})`,
      ),
    ),
  );
  if (!schedules.length) {
    fill(body, h("p", {}, t("enroll.noSchedules")), current);
    return;
  }
  const schedule = h(
    "select",
    { "data-field": "scheduleId" },
    h("option", { value: "" }, t("enroll.chooseSchedule")),
    schedules.map((s) =>
      h(
        "option",
        { value: s.id },
        `${s.name} — ${s.facility.name} — `,
        s.placesLeft > 0
          ? t("enroll.placesLeft", { places: s.placesLeft, capacity: s.capacity })
          : t("enroll.full"),
      ),
    ),
  );
  const name = uid("how");
  const fromDate = h("input", { type: "radio", name, value: "date", checked: true, id: `${name}-date` });
  const oneSession = h("input", { type: "radio", name, value: "session", id: `${name}-session` });
  // From today where the sessions happen: the chosen schedule's day (the provider's until one is chosen).
  const date = h("input", { type: "date", "data-field": "fromDate", value: today() });
  let suggested = date.value;
  const session = h("select", { "data-field": "sessionId", disabled: true });
  const dateField = field(t("enroll.date"), date);
  const sessionField = field(t("enroll.session"), session);
  sessionField.hidden = true;
  const result = h("div", {});
  const button = h("button", { type: "submit" }, t("enroll.submit"));

  const switchMode = () => {
    dateField.hidden = !fromDate.checked;
    sessionField.hidden = fromDate.checked;
    session.disabled = fromDate.checked;
  };
  fromDate.addEventListener("change", switchMode);
  oneSession.addEventListener("change", switchMode);
  schedule.addEventListener("change", async () => {
    fill(session);
    if (!schedule.value) return;
    const chosen = schedules.find((s) => s.id === schedule.value);
    if (date.value === suggested) date.value = suggested = today(chosen.timeZone);
    const found = await gql(SESSIONS, { id: schedule.value });
    const now = Date.now();
    const upcoming = found.benefitSchedule.sessions.filter(
      (s) => s.status === "SCHEDULED" && new Date(s.startsAt).getTime() > now,
    );
    fill(
      session,
      h("option", { value: "" }, t("enroll.chooseSession")),
      upcoming.map((s) =>
        h(
          "option",
          { value: s.id },
          t("enroll.sessionSeats", {
            when: formatDateTime(s.startsAt, chosen.timeZone),
            enrolled: s.enrolledCount,
            capacity: chosen.capacity,
          }),
        ),
      ),
    );
  });

  const form = h(
    "form",
    {
      class: "card",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        clearFieldErrors(form);
        clear(result);
        if (!schedule.value) return showFieldError(form, "scheduleId", t("enroll.chooseScheduleFirst"));
        const input = { referralId: referral.id };
        if (fromDate.checked) Object.assign(input, { scheduleId: schedule.value, fromDate: date.value || null });
        else if (!session.value) return showFieldError(form, "sessionId", t("enroll.chooseSession"));
        else input.sessionId = session.value;
        button.disabled = true;
        try {
          const payload = (await gql(ENROLL, { input })).enrollInSchedule;
          if (payload.errors.length) {
            const error = payload.errors[0];
            if (!showFieldError(form, error.field, error.message)) {
              result.append(h("div", { class: "notice error", role: "alert" }, error.message));
            }
            return;
          }
          const made = payload.scheduleAssignment;
          const key = made.status === "WAITLISTED" ? "enroll.waitlisted" : "enroll.enrolled";
          const message = t(key, { schedule: made.schedule.name });
          result.append(h("div", { class: "notice success" }, message));
          announce(message);
          current.append(h("li", {}, made.schedule.name, ` (${code(made.status)})`));
        } catch (error) {
          result.append(h("div", { class: "notice error", role: "alert" }, problem(error)));
        } finally {
          button.disabled = false;
        }
      },
    },
    field(t("enroll.schedule"), schedule),
    h(
      "fieldset",
      {},
      h("legend", {}, t("enroll.how")),
      h("label", { class: "choice" }, fromDate, " ", t("enroll.fromDate")),
      h("label", { class: "choice" }, oneSession, " ", t("enroll.oneSession")),
    ),
    dateField,
    sessionField,
    button,
    result,
  );
  fill(body, form, data.scheduleAssignments.nodes.length ? h("h3", {}, t("enroll.current")) : null, current);
}
