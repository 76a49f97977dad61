// One referral: what the decision needs (the benefit, whether the agency must authorize it, the client's alerts,
// the caseworker's note, and how to reach the caseworker: work phone and email) above the actions legal now; the client as shared; enrollment into a schedule (from a
// date) or a single session once accepted and authorized; the history.
// The page always shows what the server holds: after every action (and after enrolling) it re-reads the referral,
// and while visible it polls the referral's version every POLL_MS, redrawing (and saying what changed) when someone
// else changed it. A CONFLICT answer (a stale version, "cannot become X from there") reloads and says what changed.

import { announce, app, problem, whileShown } from "../app.js";
import { gql } from "../api.js";
import { clear, clearFieldErrors, field, fill, h, showFieldError, uid } from "../dom.js";
import { code, formatDate, formatDateTime, t, today } from "../i18n.js";

const POLL_MS = 10000;
const FIELDS = `id status statusReason authorizationStatus priority notes version isNew isOverdue sentAt deliverable
  availableActions referredBy agencyName facility { name } referringCaseworker { name email phone }
  sharedParticipant { preferredName phone email birthDate addressLine1 addressLine2 city region postalCode
    preferredLanguage alerts { text severity } attendance { sessionsPresent sessionsAbsent } }
  benefit { id name unitOfMeasure requiresAuthorization }
  history { kind fromStatus toStatus fromAuthorizationStatus toAuthorizationStatus reason note actorName occurredAt }`;
const OPEN = `mutation Open($id: ID!) { openReferral(id: $id) { referral { ${FIELDS} } errors { code message } } }`;
const READ = `query Referral($id: ID!) { referral(id: $id) { ${FIELDS} } }`;
const VERSION = `query ReferralVersion($id: ID!) { referral(id: $id) { id version } }`;
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
// The reasons a provider gives when it rejects, holds or fails a referral (the API's ReasonCode); the inbox's
// reject form offers them too.
export const REASONS = [
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
    fill(
      container,
      h("h1", {}, t("referral.client")),
      h("div", { class: "notice error", role: "alert" }, notFound ? t("error.not-found") : payload.errors[0].message),
    );
    return;
  }
  // The page's state: the referral as last read from the server, and how many actions are on their way.
  const view = { container, id, referral: payload.referral, busy: 0 };
  render(view);
  const timer = setInterval(() => poll(view).catch(() => null), POLL_MS);
  whileShown(container, () => clearInterval(timer));
}

/** Redraws when the server's version differs from the one shown; not while the user is filling a form. */
async function poll(view) {
  if (document.visibilityState !== "visible" || !app.viewer || !view.container.isConnected) return;
  if (view.busy || editing(view)) return;
  const data = await gql(VERSION, { id: view.id });
  if (!data.referral || data.referral.version === view.referral.version) return;
  const before = view.referral;
  const fresh = (await gql(READ, { id: view.id })).referral;
  if (!fresh || view.busy || editing(view) || !view.container.isConnected) return;
  view.referral = fresh;
  const focused = document.activeElement;
  const had = focused && view.container.contains(focused) ? focused.dataset.action || null : undefined;
  render(view);
  announce(t("referral.updated", { changes: changes(before, fresh) }));
  if (had !== undefined) {
    // Focus was on the page: keep it on the same button if it is still offered, else on the status.
    const same = had && view.container.querySelector(`button[data-action="${had}"]`);
    (same || view.container.querySelector(".referral-status")).focus();
  }
}

/** Whether the user is in the middle of something a redraw would throw away. */
function editing(view) {
  const c = view.container;
  if (c.querySelector(".actions form, .actions .confirm")) return true;
  const schedule = c.querySelector('select[data-field="scheduleId"]');
  return Boolean(schedule && schedule.value);
}

/** What differs between two reads of the referral, in words ("status is now in progress"). */
function changes(before, after) {
  const said = [];
  if (before.status !== after.status) said.push(t("referral.nowStatus", { status: code(after.status) }));
  if (before.authorizationStatus !== after.authorizationStatus) {
    said.push(t("referral.nowAuthorization", { status: code(after.authorizationStatus) }));
  }
  return said.length ? said.join(t("referral.and")) : t("referral.nowOther");
}

/** Re-reads the referral from the server and redraws it, with `notice` ({kind, text}) shown and focused. */
async function reload(view, notice) {
  const fresh = (await gql(READ, { id: view.id })).referral;
  if (!fresh) throw new Error("referral gone");
  const before = view.referral;
  view.referral = fresh;
  if (!view.container.isConnected) return;
  const text = typeof notice.text === "function" ? notice.text(before, fresh) : notice.text;
  render(view, { ...notice, text });
  announce(text);
  const shown = view.container.querySelector(".referral-result");
  if (shown) shown.focus();
}

function render(view, notice = null) {
  const referral = view.referral;
  const person = referral.sharedParticipant;
  fill(
    view.container,
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
      { class: "facts referral-status", tabindex: "-1" },
      fact(t("referral.status"), code(referral.status)),
      fact(t("referral.authorization"), code(referral.authorizationStatus)),
      fact(t("referral.priority"), code(referral.priority)),
      referral.facility ? fact(t("referral.facility"), referral.facility.name) : null,
    ),
    notice ? h("div", { class: `notice ${notice.kind} referral-result`, tabindex: "-1" }, notice.text) : null,
    decision(referral),
    actions(view),
    enrollment(view),
    clientSection(person),
    history(referral),
  );
}

function fact(term, value) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

/** What the provider needs to answer: the benefit, whether it needs authorizing, alerts, the caseworker's note. */
function decision(referral) {
  const alerts = referral.sharedParticipant.alerts || [];
  return h(
    "section",
    { "aria-labelledby": "decision-heading", class: "decision" },
    h("h2", { id: "decision-heading" }, t("referral.decision")),
    h(
      "dl",
      { class: "facts" },
      fact(
        t("referral.benefit"),
        `${referral.benefit.name} (${t("referral.unit")}${t("app.colon")}${referral.benefit.unitOfMeasure})`,
      ),
      fact(
        t("referral.authorizationNeeded"),
        referral.benefit.requiresAuthorization ? t("referral.needsAuthorization") : t("referral.noAuthorization"),
      ),
      fact(t("referral.notes"), h("span", { class: "notes" }, referral.notes || t("referral.noNotes"))),
      fact(
        t("referral.caseworker"),
        t("referral.referredBy", { name: referral.referredBy, agency: referral.agencyName }),
      ),
      caseworkerContact(referral.referringCaseworker),
    ),
    alerts.length
      ? [
          h("h3", {}, t("referral.alerts")),
          h(
            "ul",
            { class: "alerts" },
            alerts.map((a) => h("li", { class: `alert-${a.severity.toLowerCase()}` }, a.text)),
          ),
        ]
      : null,
  );
}

/** The caseworker's work phone and email, as links that call or write; said plainly when there are none. */
function caseworkerContact(caseworker) {
  if (!caseworker) return null;
  if (!caseworker.phone && !caseworker.email) return fact(t("referral.caseworkerContact"), t("referral.noContact"));
  return [
    caseworker.phone
      ? fact(
          t("referral.workPhone"),
          h("a", { href: `tel:${caseworker.phone.replace(/[^\d+]/g, "")}`, class: "contact" }, caseworker.phone),
        )
      : null,
    caseworker.email
      ? fact(t("referral.workEmail"), h("a", { href: `mailto:${caseworker.email}`, class: "contact" }, caseworker.email))
      : null,
  ];
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
        // A status change, or (kind AUTHORIZATION) a change of the agency's authorization: "what: from → to".
        const authorization = entry.kind === "AUTHORIZATION";
        const from = authorization ? entry.fromAuthorizationStatus : entry.fromStatus;
        const to = authorization ? entry.toAuthorizationStatus : entry.toStatus;
        return h(
          "li",
          {},
          h("time", { datetime: entry.occurredAt }, formatDateTime(entry.occurredAt)),
          " — ",
          `${authorization ? t("referral.authorization") : t("referral.status")}${t("app.colon")}`,
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

/** The actions the server offers now; Complete only once service has started, and only after a confirmation. */
function offered(referral) {
  return referral.availableActions.filter(
    (a) => ACTIONS[a] && (a !== "COMPLETE" || referral.status === "IN_PROGRESS"),
  );
}

function actions(view) {
  const section = h(
    "section",
    { "aria-labelledby": "actions-heading", class: "actions" },
    h("h2", { id: "actions-heading" }, t("referral.actions")),
  );
  const available = offered(view.referral);
  if (!available.length) {
    section.append(h("p", {}, t("referral.noActions")));
    return section;
  }
  const area = h("div", {});
  const choose = (action) => {
    if (NEEDS_REASON.has(action)) reasonForm(area, view, action);
    else if (action === "COMPLETE") confirmComplete(area, view);
    else act(view, action, {}, area);
  };
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
            onclick: () => choose(action),
          },
          code(action),
        ),
      ),
    ),
    area,
  );
  return section;
}

function confirmComplete(area, view) {
  const question = h("p", { tabindex: "-1", id: uid("confirm") }, t("referral.completeQuestion"));
  const box = h(
    "div",
    { class: "card confirm", role: "group", "aria-labelledby": question.id },
    question,
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "button", onclick: () => act(view, "COMPLETE", {}, box) }, t("referral.completeYes")),
      h("button", { type: "button", class: "secondary", onclick: () => clear(area) }, t("referral.cancel")),
    ),
  );
  fill(area, box);
  question.focus();
}

function reasonForm(area, view, action) {
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
        await act(view, action, { reason: reason.value, note: note.value.trim() || null }, form);
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

async function act(view, action, values, place) {
  const { container, referral } = view;
  const mutation = ACTIONS[action];
  const withVersion = action !== "REQUEST_AUTHORIZATION";
  // Only the steps that need a reason take one (the API refuses a reason elsewhere).
  const withReason = NEEDS_REASON.has(action);
  const declared = `$id: ID!${withReason ? ", $reason: ReasonCode" : ""}, $note: String${withVersion ? ", $version: Int" : ""}`;
  const document = `mutation Act(${declared}) {
    ${mutation}(id: $id${withReason ? ", reason: $reason" : ""}, note: $note${withVersion ? ", expectedVersion: $version" : ""}) {
      referral { id version } errors { code field message } } }`;
  const enable = (on) => {
    for (const button of container.querySelectorAll("button")) button.disabled = !on;
  };
  enable(false);
  view.busy += 1;
  try {
    let payload;
    try {
      payload = (
        await gql(document, {
          id: referral.id,
          ...(withReason ? { reason: values.reason || null } : {}),
          note: values.note || null,
          ...(withVersion ? { version: referral.version } : {}),
        })
      )[mutation];
    } catch (error) {
      // Timed out or cut off: the server may have applied it. Show what it holds if that changed; else the failure.
      const fresh = await gql(VERSION, { id: view.id }).catch(() => null);
      if (fresh && fresh.referral && fresh.referral.version !== referral.version) {
        await reload(view, { kind: "warning", text: (b, a) => t("referral.maybeSaved", { changes: changes(b, a) }) });
        return;
      }
      enable(true);
      place.append(h("div", { class: "notice error", role: "alert" }, problem(error)));
      return;
    }
    if (payload.errors.length) {
      const error = payload.errors[0];
      if (error.code === "CONFLICT") {
        // Changed elsewhere, or already done: show what the server holds now and say what changed.
        await reload(view, { kind: "warning", text: (b, a) => t("referral.conflict", { changes: changes(b, a) }) });
        return;
      }
      enable(true);
      if (!(place.tagName === "FORM" && showFieldError(place, error.field, error.message))) {
        place.append(h("div", { class: "notice error", role: "alert" }, error.message));
      }
      return;
    }
    await reload(view, { kind: "success", text: (b, a) => t("referral.saved", { changes: changes(b, a) }) });
  } catch (error) {
    if (container.isConnected) {
      enable(true);
      place.append(h("div", { class: "notice error", role: "alert" }, problem(error)));
    }
  } finally {
    view.busy -= 1;
  }
}

function enrollment(view) {
  const referral = view.referral;
  const section = h(
    "section",
    { "aria-labelledby": "enroll-heading" },
    h("h2", { id: "enroll-heading" }, t("enroll.title")),
  );
  if (!referral.deliverable) {
    section.append(h("p", {}, t("enroll.notYet")));
    return section;
  }
  const body = h(
    "div",
    {},
    h("p", { class: "visually-hidden" }, t("app.loading")),
    h(
      "div",
      { class: "skeleton", "aria-hidden": "true" },
      h("span", { class: "bone row" }),
      h("span", { class: "bone row" }),
    ),
  );
  section.append(body);
  loadEnrollment(body, view).catch((error) =>
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

async function loadEnrollment(body, view) {
  const referral = view.referral;
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
        view.busy += 1;
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
          // Enrolling starts the referral (waitlisting may hold it): show what the server holds now.
          await reload(view, { kind: "success", text: message }).catch(() => {
            result.append(h("div", { class: "notice success" }, message));
            announce(message);
          });
        } catch (error) {
          result.append(h("div", { class: "notice error", role: "alert" }, problem(error)));
        } finally {
          button.disabled = false;
          view.busy -= 1;
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
