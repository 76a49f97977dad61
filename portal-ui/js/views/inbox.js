// The inbox: referrals sent to the provider, newest first; status tabs with counts; search by client name.
// New referrals appear without a reload: the list is polled every POLL_MS while the page is visible (one small
// query; simpler to run and to secure than a WebSocket, and a referral waits hours, not seconds).

import { announce, app, problem, whileShown } from "../app.js";
import { gql } from "../api.js";
import { fill, h } from "../dom.js";
import { code, formatDateTime, t } from "../i18n.js";

const POLL_MS = 10000;
const TABS = [
  ["all", null],
  ["new", ["REQUESTED"]],
  ["accepted", ["ACCEPTED"]],
  ["active", ["IN_PROGRESS"]],
  ["held", ["ON_HOLD"]],
  ["closed", ["COMPLETED", "REJECTED", "CANCELLED", "FAILED", "ENTERED_IN_ERROR"]],
];
const QUERY = `query Inbox($filter: ReferralFilter!, $names: ReferralFilter!) {
  referrals(filter: $filter, first: 100) { nodes { id status isNew isOverdue priority sentAt
    sharedParticipant { preferredName } benefit { name } } }
  referralCounts(filter: $names) { status count }
  unopened: referrals(filter: {new: true}) { totalCount } }`;

const state = { tab: "all", search: "" };

export async function inboxView(container) {
  let lastUnopened = null;
  const list = h("div", { id: "inbox-list" });
  const tabs = h("div", { class: "tabs", role: "group", "aria-label": t("inbox.statuses") });
  const search = h("input", { id: "inbox-search", type: "search", value: state.search, autocomplete: "off" });
  const summary = h("p", { class: "visually-hidden", "aria-live": "polite" });

  async function load(announceArrivals = false) {
    const statuses = TABS.find(([name]) => name === state.tab)[1];
    const names = state.search.trim() ? { clientName: state.search.trim() } : {};
    const data = await gql(QUERY, { filter: { ...names, statuses }, names });
    renderTabs(data.referralCounts);
    renderList(data.referrals.nodes);
    const unopened = data.unopened.totalCount;
    if (announceArrivals && lastUnopened !== null && unopened > lastUnopened) {
      announce(t("inbox.arrived", { count: unopened - lastUnopened }));
    }
    lastUnopened = unopened;
  }

  function renderTabs(counts) {
    const by = Object.fromEntries(counts.map((c) => [c.status, c.count]));
    fill(tabs, 
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

  function renderList(referrals) {
    summary.textContent = t("inbox.count", { count: referrals.length });
    if (!referrals.length) return fill(list, h("p", { class: "empty" }, t("inbox.empty")));
    fill(list, 
      h(
        "ul",
        { class: "cards" },
        referrals.map((r) =>
          h(
            "li",
            { class: `card referral${r.isNew ? " is-new" : ""}` },
            h(
              "a",
              { href: `#/referrals/${r.id}` },
              h("span", { class: "name" }, r.sharedParticipant.preferredName),
              " — ",
              r.benefit.name,
            ),
            h(
              "p",
              { class: "badges" },
              r.isNew ? h("span", { class: "badge new" }, t("inbox.unopened")) : null,
              r.isOverdue ? h("span", { class: "badge overdue" }, t("inbox.overdue")) : null,
              h("span", { class: `badge status-${r.status.toLowerCase()}` }, code(r.status)),
              h("span", { class: "badge" }, code(r.priority)),
            ),
            r.sentAt ? h("p", { class: "meta" }, t("inbox.sent", { date: formatDateTime(r.sentAt) })) : null,
          ),
        ),
      ),
    );
  }

  async function refresh() {
    try {
      await load();
    } catch (error) {
      fill(list, h("div", { class: "notice error", role: "alert" }, problem(error)));
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

  await load();
  fill(container, 
    h("h1", {}, t("inbox.title")),
    h("div", { class: "field search" }, h("label", { for: "inbox-search" }, t("inbox.search")), search),
    tabs,
    summary,
    list,
  );
  const timer = setInterval(() => {
    if (document.visibilityState === "visible" && app.viewer) load(true).catch(() => null);
  }, POLL_MS);
  whileShown(container, () => clearInterval(timer));
}
