// Drafting or editing a schedule: facility, benefit, days, times, time zone (the facility's unless chosen),
// recurrence, capacity; a preview of the sessions; then the draft is saved, or saved and submitted for the agency's
// approval, and the schedule's page says so. Errors appear next to the field they concern.

import { problem } from "../app.js";
import { gql } from "../api.js";
import { clear, clearFieldErrors, field, fill, h, showFieldError, uid } from "../dom.js";
import { code, formatDateTime, t, timeZone as providerZone } from "../i18n.js";
import { confirmOnSchedulePage } from "./schedule.js";

const CHOICES = `query { facilities(first: 100) { nodes { id name active timeZone } }
  referrals(first: 100) { nodes { benefit { id name billingCodes { id code description } } } } }`;
const PREVIEW = `query Preview($input: BenefitScheduleInput!) { schedulePreview(input: $input) { startsAt } }`;
const SCHEDULE = `query Schedule($id: ID!) { benefitSchedule(id: $id) { id name approvalStatus benefitId codeSetId
  firstStart firstEnd timeZone frequency interval weekdays until count capacity defaultQuantity facility { id } } }`;
const UPDATE = `mutation Update($id: ID!, $input: BenefitScheduleInput!) { updateBenefitSchedule(id: $id, input: $input) {
  schedule { id } errors { code field message } } }`;
const CREATE = `mutation Create($input: BenefitScheduleInput!) { createBenefitSchedule(input: $input) {
  schedule { id } errors { code field message } } }`;
const SUBMIT = `mutation Submit($id: ID!) { submitBenefitSchedule(id: $id) {
  schedule { id approvalStatus } errors { code field message } } }`;
const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/** The IANA zones the browser knows, with `extra` (a saved or facility zone) kept even if it does not. */
function zoneNames(...extra) {
  const names = new Set(typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : []);
  for (const zone of extra) if (zone) names.add(zone);
  return [...names].sort((a, b) => a.localeCompare(b));
}

export async function scheduleFormView(container, id = null) {
  const [data, existing] = await Promise.all([
    gql(CHOICES),
    id ? gql(SCHEDULE, { id }).then((d) => d.benefitSchedule) : null,
  ]);
  const benefits = new Map();
  for (const r of data.referrals.nodes) benefits.set(r.benefit.id, r.benefit);
  const facilities = data.facilities.nodes.filter((f) => f.active);
  fill(container, 
    h(
      "p",
      { class: "back" },
      existing
        ? h("a", { href: `#/schedules/${existing.id}` }, "← ", existing.name)
        : h("a", { href: "#/schedules" }, "← ", t("schedules.title")),
    ),
    h("h1", {}, existing ? t("form.editTitle", { name: existing.name }) : t("form.title")),
  );
  if (existing && !["DRAFT", "REJECTED"].includes(existing.approvalStatus)) {
    container.append(h("p", { class: "notice" }, t("form.notEditable", { status: code(existing.approvalStatus) })));
    return;
  }
  if (!benefits.size) {
    container.append(h("p", {}, t("form.noBenefits")));
    return;
  }
  const control = (tag, name, attributes = {}, ...children) =>
    h(tag, { "data-field": name, id: uid(name), ...attributes }, ...children);
  const facility = control("select", "facilityId", {}, facilities.map((f) => h("option", { value: f.id }, f.name)));
  const benefit = control("select", "benefitId", {}, [...benefits.values()].map((b) => h("option", { value: b.id }, b.name)));
  const codeSet = control("select", "codeSetId");
  const fillCodes = () =>
    fill(codeSet, 
      benefits.get(benefit.value).billingCodes.map((c) => h("option", { value: c.id }, `${c.code} — ${c.description}`)),
    );
  benefit.addEventListener("change", fillCodes);
  fillCodes();
  const name = control("input", "name", { type: "text", maxlength: 200, required: true });
  const firstDate = control("input", "firstStart", { type: "date", required: true });
  const startTime = control("input", "startTime", { type: "time", value: "09:00", required: true });
  const endTime = control("input", "firstEnd", { type: "time", value: "10:00", required: true });
  // The facility's zone (else the provider's), never the browser's; it follows the facility until edited.
  const facilityZone = () => facilities.find((f) => f.id === facility.value)?.timeZone || providerZone() || "UTC";
  const timeZone = control(
    "select",
    "timeZone",
    { required: true },
    zoneNames(...facilities.map((f) => f.timeZone), providerZone(), existing?.timeZone).map((z) =>
      h("option", { value: z }, z.replaceAll("_", " ")),
    ),
  );
  timeZone.value = facilityZone();
  let suggestedZone = timeZone.value;
  facility.addEventListener("change", () => {
    if (timeZone.value === suggestedZone) timeZone.value = suggestedZone = facilityZone();
  });
  const frequency = control(
    "select",
    "frequency",
    {},
    ["WEEKLY", "ONCE", "DAILY", "MONTHLY"].map((f) => h("option", { value: f }, code(f))),
  );
  const days = DAYS.map((d) => h("input", { type: "checkbox", value: d, id: uid(`day-${d}`) }));
  const daysId = uid("weekdays");
  const daysSet = h(
    "fieldset",
    { class: "days", "data-field": "weekdays", id: daysId, "aria-describedby": `${daysId}-error` },
    h("legend", {}, t("form.days")),
    days.map((box) => h("label", { class: "choice", for: box.id }, box, " ", code(box.value))),
    h("p", { class: "field-error", id: `${daysId}-error`, hidden: true }),
  );
  const interval = control("input", "interval", { type: "number", min: 1, max: 52, value: 1 });
  const count = control("input", "count", { type: "number", min: 1, max: 500, value: 12 });
  const until = control("input", "until", { type: "date" });
  const capacity = control("input", "capacity", { type: "number", min: 1, max: 10000, value: 8, required: true });
  const quantity = control("input", "defaultQuantity", { type: "text", inputmode: "decimal", value: "1", required: true });
  frequency.addEventListener("change", () => {
    daysSet.hidden = frequency.value !== "WEEKLY";
  });

  const preview = h("div", { "aria-live": "polite" });
  const previewButton = h("button", { type: "button", class: "secondary" }, t("form.preview"));
  const draftButton = h("button", { type: "button", class: "secondary" }, t("form.saveDraft"));
  const submitButton = h("button", { type: "submit" }, t("form.submit"));
  const form = h(
    "form",
    { class: "card", novalidate: true },
    field(t("form.facility"), facility),
    field(t("form.benefit"), benefit),
    field(t("form.codeSet"), codeSet),
    field(t("form.name"), name),
    h(
      "div",
      { class: "row" },
      field(t("form.firstDate"), firstDate),
      field(t("form.startTime"), startTime),
      field(t("form.endTime"), endTime),
    ),
    field(t("form.timeZone"), timeZone, { hint: t("form.timeZoneHint") }),
    field(t("form.frequency"), frequency),
    daysSet,
    h("div", { class: "row" }, field(t("form.interval"), interval), field(t("form.count"), count), field(t("form.until"), until)),
    h("div", { class: "row" }, field(t("form.capacity"), capacity), field(t("form.quantity"), quantity)),
    h("div", { class: "buttons" }, previewButton, draftButton, submitButton),
    preview,
  );
  container.append(form);

  function input() {
    clearFieldErrors(form);
    const missing = [
      [name, "name"],
      [firstDate, "firstStart"],
      [startTime, "startTime"],
      [endTime, "firstEnd"],
      [timeZone, "timeZone"],
      [capacity, "capacity"],
      [quantity, "defaultQuantity"],
    ].filter(([element]) => !element.value.trim());
    for (const [, fieldName] of missing) showFieldError(form, fieldName, t("form.required"));
    if (missing.length) {
      missing[0][0].focus();
      return null;
    }
    const values = {
      facilityId: facility.value,
      benefitId: benefit.value,
      codeSetId: codeSet.value,
      name: name.value.trim(),
      firstStart: `${firstDate.value}T${startTime.value}:00`,
      firstEnd: `${firstDate.value}T${endTime.value}:00`,
      timeZone: timeZone.value.trim(),
      frequency: frequency.value,
      capacity: Number(capacity.value),
      defaultQuantity: quantity.value.trim(),
      interval: Number(interval.value) || 1,
    };
    if (frequency.value === "WEEKLY") values.weekdays = days.filter((d) => d.checked).map((d) => d.value);
    if (frequency.value !== "ONCE") {
      // Both are sent, so an edited draft moving from a count to an end date (or back) keeps only the new one.
      values.until = until.value || null;
      values.count = until.value ? null : Number(count.value) || null;
    }
    return values;
  }

  function showErrors(errors) {
    const unplaced = [];
    for (const error of errors) {
      const where = (error.field || "").replace(/^input\./, "");
      if (!showFieldError(form, where, error.message)) unplaced.push(error.message);
    }
    if (unplaced.length) preview.append(h("div", { class: "notice error", role: "alert" }, unplaced.join(" ")));
    const first = form.querySelector("[aria-invalid]");
    if (first) first.focus();
  }

  previewButton.addEventListener("click", async () => {
    const values = input();
    clear(preview);
    if (!values) return;
    try {
      const sessions = (await gql(PREVIEW, { input: values })).schedulePreview;
      const zone = values.timeZone;
      preview.append(
        h(
          "p",
          { class: "notice success" },
          t("form.previewCount", {
            count: sessions.length,
            first: formatDateTime(sessions[0].startsAt, zone),
            last: formatDateTime(sessions[sessions.length - 1].startsAt, zone),
          }),
        ),
        h("ol", { class: "preview" }, sessions.slice(0, 12).map((s) => h("li", {}, formatDateTime(s.startsAt, zone)))),
      );
    } catch (error) {
      if (error.field) showErrors([{ field: error.field, message: error.message }]);
      else preview.append(h("div", { class: "notice error", role: "alert" }, problem(error)));
    }
  });

  if (existing) {
    facility.value = existing.facility.id;
    if (benefits.has(existing.benefitId)) benefit.value = existing.benefitId;
    fillCodes();
    codeSet.value = existing.codeSetId;
    name.value = existing.name;
    firstDate.value = existing.firstStart.slice(0, 10);
    startTime.value = existing.firstStart.slice(11, 16);
    endTime.value = existing.firstEnd.slice(11, 16);
    timeZone.value = suggestedZone = existing.timeZone;
    frequency.value = existing.frequency;
    daysSet.hidden = existing.frequency !== "WEEKLY";
    for (const box of days) box.checked = existing.weekdays.includes(box.value);
    interval.value = existing.interval;
    count.value = existing.count ?? "";
    until.value = existing.until ?? "";
    capacity.value = existing.capacity;
    quantity.value = existing.defaultQuantity;
  }

  /** Saves the draft (new or edited): its id, or null when refused (the errors are shown). */
  async function save(values) {
    if (existing) {
      const updated = (await gql(UPDATE, { id: existing.id, input: values })).updateBenefitSchedule;
      if (updated.errors.length) return showErrors(updated.errors), null;
      return updated.schedule.id;
    }
    const created = (await gql(CREATE, { input: values })).createBenefitSchedule;
    if (created.errors.length) return showErrors(created.errors), null;
    return created.schedule.id;
  }

  async function finish(submit) {
    const values = input();
    clear(preview);
    if (!values) return;
    draftButton.disabled = submitButton.disabled = true;
    let saved = null;
    try {
      saved = await save(values);
      if (saved === null) return;
      if (submit) {
        const submitted = (await gql(SUBMIT, { id: saved })).submitBenefitSchedule;
        if (submitted.errors.length) {
          // The draft is kept: its page says so, with what stopped the submission.
          const why = submitted.errors.map((e) => e.message).join(" ");
          confirmOnSchedulePage(t("form.savedNotSubmitted", { errors: why }), false);
          location.hash = `#/schedules/${saved}`;
          return;
        }
      }
      confirmOnSchedulePage(t(submit ? "form.submitted" : "form.draftSaved"));
      location.hash = `#/schedules/${saved}`;
    } catch (error) {
      preview.append(h("div", { class: "notice error", role: "alert" }, problem(error)));
    } finally {
      draftButton.disabled = submitButton.disabled = false;
    }
  }

  draftButton.addEventListener("click", () => finish(false));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    finish(true);
  });
}
