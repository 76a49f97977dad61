// An invited user sets their password with the one-time link their administrator passed on (#/welcome/<token>),
// signed out. The token stays in the page (after the #, never sent in a URL); it goes to POST /auth/password with the
// password. Then providers are sent to the sign-in form, agency staff to their agency's app or GraphiQL.

import { focusHeading } from "../app.js";
import { clearFieldErrors, field, fill, h, showFieldError } from "../dom.js";
import { t } from "../i18n.js";

const MIN_LENGTH = 12; // the server's rule (server/domain/users.py check_password_rule), stated up front
const LINK_REFUSALS = ["invalid_link", "used_link", "replaced_link", "expired_link", "inactive_account"];

export function welcomeView(container, token) {
  const password = h("input", {
    type: "password",
    id: "new-password",
    "data-field": "password",
    autocomplete: "new-password",
    required: true,
  });
  const confirm = h("input", {
    type: "password",
    id: "confirm-password",
    "data-field": "confirm",
    autocomplete: "new-password",
    required: true,
  });
  const alert = h("div", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  const button = h("button", { type: "submit" }, t("welcome.submit"));
  const form = h(
    "form",
    { class: "card narrow", novalidate: true, onsubmit: (event) => submit(event) },
    h("h1", {}, t("welcome.title")),
    h("p", {}, t("welcome.intro")),
    alert,
    field(t("welcome.password"), password, { hint: t("welcome.rule") }),
    field(t("welcome.confirm"), confirm),
    button,
  );
  fill(container, form);

  function refuse(message) {
    alert.textContent = message;
    alert.hidden = false;
    alert.focus();
  }

  async function submit(event) {
    event.preventDefault();
    clearFieldErrors(form);
    alert.hidden = true;
    const problems = [];
    if (!password.value) problems.push(["password", t("welcome.missing")]);
    else if ([...password.value].length < MIN_LENGTH) problems.push(["password", t("welcome.short")]);
    if (password.value && confirm.value !== password.value) problems.push(["confirm", t("welcome.mismatch")]);
    if (problems.length) {
      for (const [name, message] of problems) showFieldError(form, name, message);
      form.querySelector("[aria-invalid]").focus();
      return;
    }
    button.disabled = true;
    let response;
    let body = {};
    try {
      response = await fetch("/auth/password", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token, password: password.value }),
      });
      body = await response.json().catch(() => ({}));
    } catch {
      button.disabled = false;
      return refuse(t("error.network"));
    }
    button.disabled = false;
    if (response.ok) return done(container, body);
    if (body.error === "weak_password") {
      showFieldError(form, "password", t("welcome.weak_password"));
      password.focus();
    } else if (LINK_REFUSALS.includes(body.error)) {
      refuse(t(`welcome.${body.error}`));
    } else {
      refuse(t(response.status === 503 ? "welcome.busy" : "error.server"));
    }
  }
}

/** The password is set: where to sign in now (the portal for providers; the agency's app or GraphiQL otherwise). */
function done(container, { portal }) {
  fill(
    container,
    h(
      "div",
      { class: "card narrow" },
      h("h1", {}, t("welcome.done")),
      portal
        ? [h("p", {}, t("welcome.provider")), h("p", {}, h("a", { href: "#/inbox" }, t("welcome.signIn")))]
        : [h("p", {}, t("welcome.agency")), h("p", {}, h("a", { href: "/graphql" }, t("welcome.graphiql")))],
    ),
  );
  focusHeading();
}
