// The portal's shell: sign-in, navigation between views (hash routes), language, and failures shown in words.

import { ApiError, gql, onSignedOut, signIn, signOut } from "./api.js";
import { clear, fill, h, skeleton } from "./dom.js";
import { language, setLanguage, setTimeZone, t } from "./i18n.js";
import { facilitiesView } from "./views/facilities.js";
import { inboxView } from "./views/inbox.js";
import { referralView } from "./views/referral.js";
import { rosterView } from "./views/roster.js";
import { scheduleView } from "./views/schedule.js";
import { scheduleFormView } from "./views/schedule_form.js";
import { schedulesView } from "./views/schedules.js";
import { sessionsView } from "./views/sessions.js";
import { welcomeView } from "./views/welcome.js";

const ROUTES = [
  [/^#\/inbox$/, inboxView],
  [/^#\/referrals\/(\d+)$/, referralView],
  [/^#\/schedules$/, schedulesView],
  [/^#\/schedules\/new$/, scheduleFormView],
  [/^#\/schedules\/(\d+)$/, scheduleView],
  [/^#\/schedules\/(\d+)\/edit$/, scheduleFormView],
  [/^#\/sessions$/, sessionsView],
  [/^#\/sessions\/(\d+)$/, rosterView],
  [/^#\/facilities$/, facilitiesView],
];
const NAV = [
  ["#/inbox", "nav.inbox"],
  ["#/sessions", "nav.sessions"],
  ["#/schedules", "nav.schedules"],
  ["#/facilities", "nav.facilities"],
];

// The headings of the pages whose title is known before they load (shown at once, over their skeleton).
const TITLES = {
  "#/inbox": "inbox.title",
  "#/sessions": "sessions.title",
  "#/schedules": "schedules.title",
  "#/facilities": "facilities.title",
};

export const app = { viewer: null, stop: [] };
const main = () => document.getElementById("main");

/** Says something to screen readers (and leaves it visible where a view shows it too). */
export function announce(message) {
  const status = document.getElementById("status");
  status.textContent = "";
  setTimeout(() => {
    status.textContent = message;
  }, 50);
}

export function problem(error) {
  if (error instanceof ApiError) {
    return error.kind === "invalid" ? t("error.invalid", { message: error.message }) : t(`error.${error.kind}`);
  }
  console.error(error);
  return t("error.server");
}

/** A failure in place of a view (or of the whole portal, when Caseway cannot be reached), with a way to try again. */
export function failed(container, error, retry) {
  const kind = error instanceof ApiError ? error.kind : "server";
  const heading = h("h1", {}, t(`failed.${kind}`));
  fill(
    container,
    h(
      "div",
      { class: "failed" },
      heading,
      h("div", { class: "notice error", role: "alert" }, h("p", {}, problem(error))),
      retry ? h("button", { type: "button", onclick: retry }, t("app.retry")) : null,
    ),
  );
  if (container.isConnected) document.title = `${heading.textContent} · ${t("app.title")}`;
}

function chrome() {
  document.title = t("app.title");
  document.querySelector(".skip").textContent = t("app.skip");
  document.getElementById("language-label").textContent = t("app.language");
  document.getElementById("language").value = language();
  const signOutButton = document.getElementById("sign-out");
  signOutButton.textContent = t("app.signOut");
  signOutButton.hidden = !app.viewer;
  document.getElementById("who").textContent = app.viewer ? t("app.signedInAs", { name: app.viewer.name }) : "";
  const nav = clear(document.getElementById("nav"));
  if (app.viewer) {
    const here = location.hash.split("/").slice(0, 2).join("/");
    nav.append(
      h(
        "ul",
        {},
        NAV.map(([href, key]) =>
          h("li", {}, h("a", { href, "aria-current": here === href ? "page" : null }, t(key))),
        ),
      ),
    );
  }
}

/** Stops `stop` (a poller, a timer) when the user leaves the view drawn in `container`, or now if they already have. */
export function whileShown(container, stop) {
  if (container.isConnected) app.stop.push(stop);
  else stop();
}

/**
 * Draws the view the hash names. Each view draws into a container of its own: when the user navigates again
 * before a slow view has loaded, the newer view replaces that container, and the late one draws into nothing.
 */
async function route() {
  for (const stop of app.stop.splice(0)) stop();
  chrome();
  // An invited user setting their password: reachable signed out (issue 14).
  const welcome = location.hash.match(/^#\/welcome\/([A-Za-z0-9_-]+)$/);
  if (welcome) {
    welcomeView(clear(main()), welcome[1]);
    return focusHeading();
  }
  // Redrawn (a new language, the hash cleared at sign-out): focus stays on the form if it was there.
  if (!app.viewer) return signInView(null, { focus: main().contains(document.activeElement) });
  const hash = location.hash || "#/inbox";
  for (const [pattern, view] of ROUTES) {
    const match = hash.match(pattern);
    if (match) {
      // Until the view has drawn, grey shapes (and its title when the navigation names it) stand in for it.
      const container = h(
        "div",
        { class: "view", "aria-busy": "true" },
        skeleton(t("app.loading"), { title: TITLES[hash] && t(TITLES[hash]) }),
      );
      fill(main(), container);
      try {
        await view(container, ...match.slice(1));
      } catch (error) {
        failed(container, error, route);
      }
      container.removeAttribute("aria-busy");
      if (container.isConnected) focusHeading();
      return;
    }
  }
  location.hash = "#/inbox";
}

export function focusHeading() {
  const heading = main().querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    // A view may put a count before its title ("(3) Referrals"), kept in data-title-prefix.
    document.title = `${heading.dataset.titlePrefix || ""}${heading.textContent} · ${t("app.title")}`;
  }
}

// Why a sign-in was refused, by HTTP status (401: wrong email or password).
const SIGN_IN_REFUSALS = { 403: "signIn.agency", 429: "signIn.throttled", 503: "signIn.busy" };

/** The sign-in form; `focus` moves focus to its heading (after signing out, when focus would fall to <body>). */
export function signInView(message, { focus = false } = {}) {
  const container = clear(main());
  const email = h("input", { id: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("div", { class: "notice error", role: "alert", hidden: !message }, message || "");
  const button = h("button", { type: "submit" }, t("signIn.submit"));
  const form = h(
    "form",
    {
      class: "card narrow",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        error.hidden = true;
        if (!email.value.trim() || !password.value) {
          error.textContent = t("signIn.missing");
          error.hidden = false;
          return;
        }
        button.disabled = true;
        try {
          const result = await signIn(email.value.trim(), password.value);
          if (!result.ok) {
            error.textContent = t(SIGN_IN_REFUSALS[result.status] || "signIn.wrong");
            error.hidden = false;
            password.value = "";
            password.focus();
            return;
          }
          await start();
        } catch (failure) {
          error.textContent = problem(failure);
          error.hidden = false;
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h1", {}, t("signIn.title")),
    h("p", {}, t("signIn.intro")),
    error,
    h("div", { class: "field" }, h("label", { for: "email" }, t("signIn.email")), email),
    h("div", { class: "field" }, h("label", { for: "password" }, t("signIn.password")), password),
    button,
  );
  container.append(form);
  signOnChoices(form);
  document.title = `${t("signIn.title")} · ${t("app.title")}`;
  if (focus) focusHeading();
}

/** Under the form, "Sign in with <label>" for each provider organisation's identity provider (single sign-on). */
async function signOnChoices(form) {
  let choices = [];
  try {
    const response = await fetch("/auth/sso/providers", { credentials: "same-origin" });
    choices = response.ok ? (await response.json()).filter((choice) => choice.kind === "provider") : [];
  } catch {
    return; // the password form still works
  }
  if (!choices.length || !form.isConnected) return;
  const links = choices.map((choice) =>
    h(
      "a",
      { class: "button secondary-link", href: `/auth/sso/${encodeURIComponent(choice.key)}/start?to=portal` },
      t("signIn.with", { label: choice.label }),
    ),
  );
  form.append(h("div", { class: "sign-on" }, h("p", {}, t("signIn.sso")), h("div", { class: "buttons" }, ...links)));
}

async function start() {
  try {
    const data = await gql("query { viewer { id name role timeZone provider { id name } } }");
    app.viewer = data.viewer && data.viewer.provider ? data.viewer : null;
    setTimeZone(app.viewer && app.viewer.timeZone); // the provider's: every day and time shows in it
  } catch (error) {
    app.viewer = null;
    if (!(error instanceof ApiError && error.kind === "unauthenticated")) {
      chrome();
      return failed(main(), error, start);
    }
  }
  if (app.viewer && !location.hash) {
    location.hash = "#/inbox"; // its hashchange draws the inbox
    return;
  }
  await route();
}

onSignedOut(() => {
  if (!app.viewer) return;
  app.viewer = null;
  chrome();
  signInView(t("error.expired"), { focus: true });
});

window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", () => {
  setLanguage(language());
  document.getElementById("language").addEventListener("change", (event) => {
    setLanguage(event.target.value);
    route();
  });
  document.getElementById("sign-out").addEventListener("click", async () => {
    await signOut().catch(() => null);
    app.viewer = null;
    location.hash = "";
    chrome();
    signInView(null, { focus: true });
  });
  start();
});
