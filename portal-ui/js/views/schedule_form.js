// Drafting a schedule: facility, benefit, days, times, recurrence, capacity; a preview of the sessions; then
// the draft is saved and submitted for the agency's approval. Errors appear next to the field they concern.

import { announce, problem } from "../app.js";
import { gql } from "../api.js";
import { clear, clearFieldErrors, field, fill, h, showFieldError, uid } from "../dom.js";
import { code, formatDateTime, t, timeZone as providerZone } from "../i18n.js";

const CHOICES = `query { facilities(first: 100) { nodes { id name active timeZone } }
  referrals(first: 100) { nodes { benefit { id name billingCodes { id code description } } } } }`;
const PREVIEW = `query Preview($input: BenefitScheduleInput!) { schedulePreview(input: $input) { startsAt } }`;
const CREATE = `mutation Create($input: BenefitScheduleInput!) { createBenefitSchedule(input: $input) {
  schedule { id } errors { code field message } } }`;
const SUBMIT = `mutation Submit($id: ID!) { submitBenefitSchedule(id: $id) {
  schedule { id approvalStatus } errors { code field message } } }`;
const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

export async function scheduleFormView(container) {
  const data = await gql(CHOICES);
  const benefits = new Map();
  for (const r of data.referrals.nodes) benefits.set(r.benefit.id, r.benefit);
  const facilities = data.facilities.nodes.filter((f) => f.active);
  fill(container, 
    h("p", { class: "back" }, h("a", { href: "#/schedules" }, "← ", t("schedules.title"))),
    h("h1", {}, t("form.title")),
  );
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
  const facilityZone = () => facilities.find((f) => f.id === facility.value)?.timeZone || providerZone();
  const timeZone = control("input", "timeZone", { type: "text", value: facilityZone() || "", required: true });
  let suggestedZone = timeZone.value;
  facility.addEventListener("change", () => {
    if (timeZone.value === suggestedZone) timeZone.value = suggestedZone = facilityZone() || "";
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
    field(t("form.timeZone"), timeZone),
    field(t("form.frequency"), frequency),
    daysSet,
    h("div", { class: "row" }, field(t("form.interval"), interval), field(t("form.count"), count), field(t("form.until"), until)),
    h("div", { class: "row" }, field(t("form.capacity"), capacity), field(t("form.quantity"), quantity)),
    h("div", { class: "buttons" }, previewButton, submitButton),
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
      if (until.value) values.until = until.value;
      else values.count = Number(count.value) || null;
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

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = input();
    clear(preview);
    if (!values) return;
    submitButton.disabled = true;
    try {
      const created = (await gql(CREATE, { input: values })).createBenefitSchedule;
      if (created.errors.length) return showErrors(created.errors);
      const submitted = (await gql(SUBMIT, { id: created.schedule.id })).submitBenefitSchedule;
      if (submitted.errors.length) return showErrors(submitted.errors);
      announce(t("form.submitted"));
      location.hash = "#/schedules";
    } catch (error) {
      preview.append(h("div", { class: "notice error", role: "alert" }, problem(error)));
    } finally {
      submitButton.disabled = false;
    }
  });
}
