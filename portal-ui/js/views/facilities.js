// The provider's facilities: contact details and whether they accept referrals.

import { announce, problem } from "../app.js";
import { gql } from "../api.js";
import { clear, clearFieldErrors, field, fill, h, showFieldError, uid } from "../dom.js";
import { t } from "../i18n.js";

const QUERY = `query { facilities(first: 100) { nodes { id name phone email website accessibilityNotes
  acceptingReferrals active } } }`;
const SAVE = `mutation Save($id: ID!, $input: FacilityUpdateInput!) { updateFacility(id: $id, input: $input) {
  facility { id name } errors { code field message } } }`;

export async function facilitiesView(container) {
  const facilities = (await gql(QUERY)).facilities.nodes.filter((f) => f.active);
  fill(container, h("h1", {}, t("facilities.title")), facilities.map(facilityForm));
}

function facilityForm(facility) {
  const input = (name, type, value) =>
    h("input", { type, id: uid(name), "data-field": name, value: value ?? "", autocomplete: "off" });
  const phone = input("phone", "tel", facility.phone);
  const email = input("email", "email", facility.email);
  const website = input("website", "url", facility.website);
  const notes = h("textarea", { id: uid("notes"), "data-field": "accessibilityNotes", rows: 3 });
  notes.value = facility.accessibilityNotes ?? "";
  const accepting = h("input", { type: "checkbox", id: uid("accepting"), checked: facility.acceptingReferrals });
  const result = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit" }, t("facilities.save"));
  const headingId = uid("facility");
  const form = h(
    "form",
    {
      class: "card",
      novalidate: true,
      "aria-labelledby": headingId,
      onsubmit: async (event) => {
        event.preventDefault();
        clearFieldErrors(form);
        clear(result);
        button.disabled = true;
        try {
          const text = (element) => element.value.trim() || null;
          const payload = (
            await gql(SAVE, {
              id: facility.id,
              input: {
                phone: text(phone),
                email: text(email),
                website: text(website),
                accessibilityNotes: text(notes),
                acceptingReferrals: accepting.checked,
              },
            })
          ).updateFacility;
          if (payload.errors.length) {
            // Messages come in the user's language (api.js), next to their field where there is one.
            for (const error of payload.errors) {
              if (!showFieldError(form, error.field, error.message)) {
                result.append(h("div", { class: "notice error", role: "alert", tabindex: "-1" }, error.message));
              }
            }
            const first = form.querySelector("[aria-invalid], .notice");
            if (first) first.focus();
            return;
          }
          // Focus goes to the result (the button stays disabled meanwhile, so it would fall to <body>).
          const message = t("facilities.saved", { name: facility.name });
          const saved = h("div", { class: "notice success", tabindex: "-1" }, message);
          result.append(saved);
          saved.focus();
          announce(message);
        } catch (error) {
          const failure = h("div", { class: "notice error", role: "alert", tabindex: "-1" }, problem(error));
          result.append(failure);
          failure.focus();
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h2", { id: headingId }, facility.name),
    h(
      "div",
      { class: "facility-contact" },
      field(t("facilities.phone"), phone),
      field(t("facilities.email"), email),
      field(t("facilities.website"), website),
    ),
    field(t("facilities.accessibility"), notes),
    h("div", { class: "field" }, h("label", { class: "choice" }, accepting, " ", t("facilities.accepting"))),
    button,
    result,
  );
  return form;
}
