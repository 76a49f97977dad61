// The inbox: referrals sent to the provider, most urgent first (overdue, then priority, then respond-by date),
// paged on the server (PAGE_SIZE at a time, "Show more" reads the next page); status tabs with counts, opening on
// "To answer"; filters by facility, benefit and priority; search by client name. A requested referral is accepted
// from its row in one click (rejecting asks a reason, on the referral's page).
// New referrals appear without a reload: the list is polled every POLL_MS while the page is visible (one small
// query; simpler to run and to secure than a WebSocket, and a referral waits hours, not seconds). The unopened
// count shows in the page title; a failed poll says since when the list is stale.

import { announce, app, problem, whileShown } from "../app.js";
import { gql } from "../api.js";
import { fill, h } from "../dom.js";
import { code, formatDateTime, formatTime, language, t, timeZone } from "../i18n.js";

const POLL_MS = 10000;
const PAGE_SIZE = 25;
const MAX_PAGE = 100;
const PRIORITIES = ["STAT", "ASAP", "URGENT", "ROUTINE"];
const TABS = [
  ["new", ["REQUESTED"]],
  ["accepted", ["ACCEPTED"]],
  ["active", ["IN_PROGRESS"]],
  ["held", ["ON_HOLD"]],
  ["closed", ["COMPLETED", "REJECTED", "CANCELLED", "FAILED", "ENTERED_IN_ERROR"]],
  ["all", null],
];
const ROW = `id status version isNew isOverdue priority sentAt respondBy availableActions
    sharedParticipant { preferredName } benefit { name } facility { name }`;
// Spelled out (not built from ROW): tests/test_large_inbox.py checks its copy of this text.
const QUERY = `query Inbox($filter: ReferralFilter!, $names: ReferralFilter!, $first: Int!, $after: String) {
  referrals(filter: $filter, orderBy: URGENCY, first: $first, after: $after) { totalCount
    pageInfo { hasNextPage endCursor } nodes { id status version isNew isOverdue priority sentAt respondBy
    availableActions sharedParticipant { preferredName } benefit { name } facility { name } } }
  referralCounts(filter: $names) { status count }
  unopened: referrals(filter: {new: true}) { totalCount } }`;
const CHOICES = `query InboxChoices { facilities(first: 100) { nodes { id name active } }
  referrals(first: 100) { nodes { benefit { id name } } } }`;
const ACCEPT = `mutation Accept($id: ID!, $version: Int) { acceptReferral(id: $id, expectedVersion: $version) {
  referral { ${ROW} } errors { code message } } }`;

// Kept while the user moves between pages: the inbox reopens as they left it.
const state = { tab: "new", search: "", facility: "", benefit: "", priority: "" };

/** "3 h ago", "2 d ago", in the page's language. */
function age(iso) {
  const minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60000);
  const format = new Intl.RelativeTimeFormat(language(), { numeric: "always", style: "short" });
  if (Math.abs(minutes) < 60) return format.format(-Math.max(minutes, 0), "minute");
  if (Math.abs(minutes) < 48 * 60) return format.format(-Math.round(minutes / 60), "hour");
  return format.format(-Math.round(minutes / 1440), "day");
}

/** "Dec 4, 9:00 AM": a respond-by moment, short enough for a row (the full one is its title). */
function short(iso) {
  const options = { month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZone: timeZone() };
  return new Intl.DateTimeFormat(language(), options).format(new Date(iso));
}

function select(id, label, options, value, onchange) {
  const control = h(
    "select",
    { id, onchange: (event) => onchange(event.target.value) },
    h("option", { value: "" }, t("inbox.any")),
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
  );
  return h("div", { class: "filter" }, h("label", { for: id }, label), control);
}

export async function inboxView(container) {
  let lastUnopened = null;
  let shown = []; // the rows read so far, page after page
  let endCursor = null;
  let updatedAt = null;
  const heading = h("h1", {}, t("inbox.title"));
  const list = h("div", { id: "inbox-list" });
  const more = h("div", { class: "more" });
  const tabs = h("div", { class: "tabs", role: "group", "aria-label": t("inbox.statuses") });
  const search = h("input", { id: "inbox-search", type: "search", value: state.search, autocomplete: "off" });
  const summary = h("p", { class: "visually-hidden", "aria-live": "polite" });
  const stale = h("p", { class: "notice stale", role: "status", hidden: true });

  function filter() {
    const names = {};
    if (state.search.trim()) names.clientName = state.search.trim();
    if (state.facility) names.facilityId = state.facility;
    if (state.benefit) names.benefitId = state.benefit;
    if (state.priority) names.priorities = [state.priority];
    const statuses = TABS.find(([name]) => name === state.tab)[1];
    return { names, filter: { ...names, statuses } };
  }

  /** Reads the first `first` rows again (the pages shown so far, up to MAX_PAGE) with the counts. */
  async function load({ first = PAGE_SIZE, announceArrivals = false } = {}) {
    const data = await gql(QUERY, { ...filter(), first: Math.min(Math.max(first, PAGE_SIZE), MAX_PAGE) });
    markUpdated();
    renderTabs(data.referralCounts);
    shown = data.referrals.nodes;
    endCursor = data.referrals.pageInfo.endCursor;
    renderList(data.referrals);
    const unopened = data.unopened.totalCount;
    if (announceArrivals && lastUnopened !== null && unopened > lastUnopened) {
      announce(t("inbox.arrived", { count: unopened - lastUnopened }));
    }
    lastUnopened = unopened;
    renderTitle(unopened);
  }

  async function showMore() {
    const data = await gql(QUERY, { ...filter(), first: PAGE_SIZE, after: endCursor });
    markUpdated();
    renderTabs(data.referralCounts);
    shown = shown.concat(data.referrals.nodes);
    endCursor = data.referrals.pageInfo.endCursor;
    renderList(data.referrals);
    const focusable = list.querySelectorAll("li.referral a");
    const firstNew = focusable[shown.length - data.referrals.nodes.length];
    if (firstNew) firstNew.focus();
  }

  function markUpdated() {
    updatedAt = new Date();
    stale.hidden = true;
    stale.textContent = "";
  }

  function renderTitle(unopened) {
    heading.dataset.titlePrefix = unopened ? `(${unopened}) ` : "";
    if (container.isConnected) {
      document.title = `${heading.dataset.titlePrefix}${heading.textContent} · ${t("app.title")}`;
    }
  }

  function renderTabs(counts) {
    const by = Object.fromEntries(counts.map((c) => [c.status, c.count]));
    fill(
      tabs,
      TABS.map(([name, statuses]) => {
        const count = (statuses || Object.keys(by)).reduce((sum, s) => sum + (by[s] || 0), 0);
        return h(
          "button",
          {
            type: "button",
            "aria-pressed": String(state.tab === name),
            onclick: () => {
              state.tab = name;
              refresh();
            },
          },
          t(`inbox.tab.${name}`),
          " ",
          h("span", { class: "count" }, count),
        );
      }),
    );
  }

  function row(r) {
    const overdue = r.isOverdue;
    const canAccept = r.status === "REQUESTED" && r.availableActions.includes("ACCEPT");
    const what = r.facility ? `${r.benefit.name} · ${r.facility.name}` : r.benefit.name;
    return h(
      "li",
      { class: `referral${r.isNew ? " is-new" : ""}${overdue ? " is-overdue" : ""}`, "data-id": r.id },
      h(
        "div",
        { class: "who" },
        h("a", { href: `#/referrals/${r.id}`, class: "name" }, r.sharedParticipant.preferredName),
        h("span", { class: "what", title: what }, what),
      ),
      h(
        "div",
        { class: "badges" },
        r.isNew ? h("span", { class: "badge new" }, t("inbox.unopened")) : null,
        h("span", { class: `badge priority-${r.priority.toLowerCase()}` }, code(r.priority)),
        state.tab === "new" && r.status === "REQUESTED" ? null : h("span", { class: `badge status-${r.status.toLowerCase()}` }, code(r.status)),
      ),
      h(
        "span",
        { class: "age" },
        r.sentAt
          ? h("time", { datetime: r.sentAt, title: formatDateTime(r.sentAt) }, t("inbox.age", { age: age(r.sentAt) }))
          : null,
      ),
      h(
        "span",
        { class: "due" },
        r.respondBy
          ? h(
              "time",
              { datetime: r.respondBy, title: formatDateTime(r.respondBy), class: overdue ? "overdue" : null },
              t(overdue ? "inbox.overdueSince" : "inbox.respondBy", { date: short(r.respondBy) }),
            )
          : null,
      ),
      h(
        "span",
        { class: "act" },
        canAccept
          ? h(
              "button",
              {
                type: "button",
                class: "accept",
                "aria-label": t("inbox.acceptName", { name: r.sharedParticipant.preferredName }),
                onclick: (event) => accept(r, event.currentTarget),
              },
              t("inbox.accept"),
            )
          : null,
      ),
    );
  }

  function renderList(connection) {
    summary.textContent = t("inbox.count", { count: shown.length, total: connection.totalCount });
    if (!shown.length) {
      fill(more);
      return fill(list, h("p", { class: "empty" }, t("inbox.empty")));
    }
    fill(list, h("ul", { class: "rows" }, shown.map(row)));
    fill(
      more,
      h("p", { class: "shown" }, t("inbox.shown", { count: shown.length, total: connection.totalCount })),
      connection.pageInfo.hasNextPage
        ? h(
            "button",
            {
              type: "button",
              class: "secondary",
              onclick: async (event) => {
                const button = event.currentTarget;
                button.disabled = true;
                try {
                  await showMore();
                } catch (error) {
                  button.disabled = false;
                  showStale(error);
                }
              },
            },
            t("inbox.more"),
          )
        : null,
    );
  }

  async function accept(r, button) {
    button.disabled = true;
    try {
      const payload = (await gql(ACCEPT, { id: r.id, version: r.version })).acceptReferral;
      if (payload.errors.length) {
        button.disabled = false;
        announce(t("error.invalid", { message: payload.errors[0].message }));
        return;
      }
      const updated = payload.referral;
      shown = shown.map((s) => (s.id === updated.id ? updated : s));
      const old = list.querySelector(`li[data-id="${CSS.escape(updated.id)}"]`);
      const replacement = row(updated);
      if (old) old.replaceWith(replacement);
      const link = replacement.querySelector("a");
      if (link) link.focus();
      announce(t("inbox.accepted", { name: updated.sharedParticipant.preferredName }));
    } catch (error) {
      button.disabled = false;
      announce(problem(error));
    }
  }

  function showStale(error) {
    const since = updatedAt ? formatTime(updatedAt.toISOString()) : "—";
    stale.textContent = t("inbox.stale", { time: since, problem: problem(error) });
    stale.hidden = false;
  }

  async function refresh() {
    try {
      await load();
    } catch (error) {
      showStale(error);
    }
  }

  let typing = null;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.search = search.value;
      refresh();
    }, 250);
  });

  const choices = await gql(CHOICES);
  const facilities = choices.facilities.nodes.filter((f) => f.active).map((f) => [f.id, f.name]);
  const benefits = new Map(choices.referrals.nodes.map((r) => [r.benefit.id, r.benefit.name]));
  const pick = (key) => (value) => {
    state[key] = value;
    refresh();
  };
  await load();
  fill(
    container,
    heading,
    h(
      "div",
      { class: "inbox-filters" },
      h("div", { class: "filter search" }, h("label", { for: "inbox-search" }, t("inbox.search")), search),
      facilities.length > 1
        ? select("inbox-facility", t("inbox.facility"), facilities, state.facility, pick("facility"))
        : null,
      select("inbox-benefit", t("inbox.benefit"), [...benefits.entries()], state.benefit, pick("benefit")),
      select(
        "inbox-priority",
        t("inbox.priority"),
        PRIORITIES.map((p) => [p, code(p)]),
        state.priority,
        pick("priority"),
      ),
    ),
    tabs,
    stale,
    summary,
    list,
    more,
  );
  const timer = setInterval(() => {
    if (document.visibilityState !== "visible" || !app.viewer) return;
    // Only as many rows as shown (at most a page of MAX_PAGE): "Show more" beyond that is kept until a change.
    if (shown.length > MAX_PAGE) return;
    load({ first: shown.length, announceArrivals: true }).catch(showStale);
  }, POLL_MS);
  whileShown(container, () => clearInterval(timer));
}
