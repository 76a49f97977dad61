// The inbox: referrals sent to the provider, most urgent first (overdue, then priority, then respond-by date),
// paged on the server (PAGE_SIZE at a time, "Show more" reads the next page); status tabs with counts, opening on
// "To answer"; filters by facility, benefit and priority; search by client name. A requested referral is accepted
// from its row in one click, or rejected from its row with a reason picked in place (a note too; the note is
// required with the reason OTHER); focus goes to the row's result.
// New referrals appear without a reload: the list is polled every POLL_MS while the page is visible (one small
// query; simpler to run and to secure than a WebSocket, and a referral waits hours, not seconds). Up to MAX_PAGE rows
// shown, a poll reads them again; past that ("Show more" several times), re-reading hundreds of rows every 10 s
// would cost the server and move rows under the user's eyes, so a poll reads only the counts (MARKER) and, when they
// differ from what the list was read with, says so with a Refresh button. The unopened count shows in the page title
// either way; a failed poll says since when the list is stale. No poll runs while a reject form is open.

import { announce, app, problem, whileShown } from "../app.js";
import { gql } from "../api.js";
import { clearFieldErrors, field, fill, h, showFieldError, uid } from "../dom.js";
import { code, formatDateTime, formatTime, language, t, timeZone } from "../i18n.js";
import { REASONS } from "./referral.js";

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
  unopened: referrals(filter: {new: true}, first: 1) { totalCount } }`;
const CHOICES = `query InboxChoices { facilities(first: 100) { nodes { id name active } }
  referrals(first: 100) { nodes { benefit { id name } } } }`;
const ACCEPT = `mutation Accept($id: ID!, $version: Int) { acceptReferral(id: $id, expectedVersion: $version) {
  referral { ${ROW} } errors { code message } } }`;
const REJECT = `mutation Reject($id: ID!, $reason: ReasonCode, $note: String, $version: Int) {
  rejectReferral(id: $id, reason: $reason, note: $note, expectedVersion: $version) {
  referral { ${ROW} } errors { code field message } } }`;
const ONE = `query InboxRow($id: ID!) { referral(id: $id) { ${ROW} } }`;
// What a poll reads once more than MAX_PAGE rows are shown: counts only, no rows.
const MARKER = `query InboxMarker($names: ReferralFilter!, $overdue: ReferralFilter!) {
  referralCounts(filter: $names) { status count }
  unopened: referrals(filter: {new: true}, first: 1) { totalCount }
  overdue: referrals(filter: $overdue, first: 1) { totalCount } }`;

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
  const changed = h("div", { class: "notice changed", hidden: true });
  let marker = null; // the counts the list was read with, to tell when it changed (past MAX_PAGE rows)
  let overdueSeen = null; // how many were overdue at the last poll (the list's read does not count them)
  const results = new Map(); // a row's result (accepted, rejected, changed meanwhile) by referral id
  let busy = 0; // actions on their way
  // Answers that arrive out of turn: a newer read of the list from its top (a filter, a tab, Refresh, a poll) wins
  // over an older one; a poll yields to any read since it started ("Show more" too); "Show more" extends only the
  // list it was asked from (its cursor belongs to that list).
  let loads = 0; // reads of the list from its top, started
  let reads = 0; // every read of rows, started
  let listLoad = 0; // the load the rows shown come from

  function filter() {
    const names = {};
    if (state.search.trim()) names.clientName = state.search.trim();
    if (state.facility) names.facilityId = state.facility;
    if (state.benefit) names.benefitId = state.benefit;
    if (state.priority) names.priorities = [state.priority];
    const statuses = TABS.find(([name]) => name === state.tab)[1];
    return { names, filter: { ...names, statuses } };
  }

  /** The counts a list was read with: a poll past MAX_PAGE rows compares them. */
  function markerOf(counts, unopened) {
    const by = counts.map((c) => `${c.status}:${c.count}`).sort().join(",");
    return `${by}|${unopened}`;
  }

  /** A poll once more than MAX_PAGE rows are shown: the counts, the title; a notice if the list changed. */
  async function pollMarker() {
    const { names, filter: current } = filter();
    const mine = reads;
    const data = await gql(MARKER, { names, overdue: { ...current, overdue: true } });
    if (mine !== reads) return; // the list was read again meanwhile
    markUpdated();
    renderTabs(data.referralCounts);
    noteUnopened(data.unopened.totalCount, true);
    const now = markerOf(data.referralCounts, data.unopened.totalCount);
    const overdue = data.overdue.totalCount;
    const fellOverdue = overdueSeen !== null && overdue !== overdueSeen;
    overdueSeen = overdue;
    if (marker === null) marker = now;
    if ((now !== marker || fellOverdue) && changed.hidden) {
      fill(
        changed,
        h("span", {}, t("inbox.listChanged")),
        " ",
        h("button", { type: "button", class: "secondary", onclick: () => refresh({ focusList: true }) }, t("inbox.refresh")),
      );
      changed.hidden = false;
      announce(t("inbox.listChanged"));
    }
  }

  function noteUnopened(unopened, announceArrivals) {
    if (announceArrivals && lastUnopened !== null && unopened > lastUnopened) {
      announce(t("inbox.arrived", { count: unopened - lastUnopened }));
    }
    lastUnopened = unopened;
    renderTitle(unopened);
  }

  /** Reads the first `first` rows again (the pages shown so far, up to MAX_PAGE) with the counts. */
  async function load({ first = PAGE_SIZE, announceArrivals = false, poll = false } = {}) {
    const myLoad = ++loads;
    const myRead = ++reads;
    const data = await gql(QUERY, { ...filter(), first: Math.min(Math.max(first, PAGE_SIZE), MAX_PAGE) });
    if (myLoad !== loads || (poll && myRead !== reads)) return;
    listLoad = myLoad;
    markUpdated();
    renderTabs(data.referralCounts);
    shown = data.referrals.nodes;
    endCursor = data.referrals.pageInfo.endCursor;
    renderList(data.referrals);
    noteUnopened(data.unopened.totalCount, announceArrivals);
    marker = markerOf(data.referralCounts, data.unopened.totalCount);
    overdueSeen = null;
    changed.hidden = true;
  }

  async function showMore() {
    const myList = listLoad;
    reads += 1;
    if (loads !== myList) return; // the list is being read again: this button belongs to the one going away
    busy += 1; // no poll meanwhile: its answer would replace the page being read
    let data;
    try {
      data = await gql(QUERY, { ...filter(), first: PAGE_SIZE, after: endCursor });
    } finally {
      busy -= 1;
    }
    if (myList !== listLoad || loads !== myList) return;
    markUpdated();
    renderTabs(data.referralCounts);
    if (changed.hidden) marker = markerOf(data.referralCounts, data.unopened.totalCount);
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
    const canReject = r.status === "REQUESTED" && r.availableActions.includes("REJECT");
    const result = results.get(r.id);
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
        canReject
          ? h(
              "button",
              {
                type: "button",
                class: "reject secondary",
                "aria-label": t("inbox.rejectName", { name: r.sharedParticipant.preferredName }),
                "aria-expanded": "false",
                onclick: (event) => toggleReject(r, event.currentTarget),
              },
              t("inbox.reject"),
            )
          : null,
      ),
      result ? h("p", { class: `notice ${result.kind} row-result`, tabindex: "-1" }, result.text) : null,
    );
  }

  /** Opens (or closes) the row's reject form: a reason, a note, Reject and Cancel. */
  function toggleReject(r, button) {
    const li = button.closest("li");
    const open = li.querySelector("form.reject-form");
    if (open) {
      open.remove();
      button.setAttribute("aria-expanded", "false");
      return;
    }
    const name = r.sharedParticipant.preferredName;
    const reason = h(
      "select",
      { "data-field": "reason", required: true },
      h("option", { value: "" }, t("inbox.chooseReason")),
      REASONS.map((value) => h("option", { value }, code(value))),
    );
    const note = h("textarea", { "data-field": "note", rows: 2, maxlength: 2000 });
    const submit = h("button", { type: "submit" }, t("inbox.confirmReject"));
    const close = () => {
      form.remove();
      button.setAttribute("aria-expanded", "false");
      button.focus();
    };
    const form = h(
      "form",
      {
        class: "reject-form",
        id: uid("reject"),
        novalidate: true,
        "aria-label": t("inbox.rejectName", { name }),
        onkeydown: (event) => {
          if (event.key === "Escape") close();
        },
        onsubmit: async (event) => {
          event.preventDefault();
          clearFieldErrors(form);
          for (const old of form.querySelectorAll(".notice")) old.remove();
          if (!reason.value) {
            showFieldError(form, "reason", t("inbox.reasonRequired"));
            return reason.focus();
          }
          if (reason.value === "OTHER" && !note.value.trim()) {
            showFieldError(form, "note", t("inbox.noteRequired"));
            return note.focus();
          }
          submit.disabled = true;
          try {
            await reject(r, form, reason.value, note.value.trim() || null);
          } finally {
            submit.disabled = false;
          }
        },
      },
      h(
        "div",
        { class: "reject-fields" },
        field(t("inbox.reason"), reason),
        field(t("inbox.note"), note, { hint: t("inbox.noteHint") }),
      ),
      h(
        "div",
        { class: "buttons" },
        submit,
        h("button", { type: "button", class: "secondary", onclick: close }, t("inbox.cancel")),
      ),
    );
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", form.id);
    li.append(form);
    reason.focus();
  }

  /** Rejects from the row; the row then shows the server's referral and the result, which gets focus. */
  async function reject(r, form, reason, note) {
    const name = r.sharedParticipant.preferredName;
    busy += 1;
    try {
      const payload = (await gql(REJECT, { id: r.id, reason, note, version: r.version })).rejectReferral;
      if (payload.errors.length) {
        const error = payload.errors[0];
        if (error.code === "CONFLICT" || error.code === "NOT_FOUND") {
          // Answered or changed elsewhere meanwhile: show what the server holds now.
          const fresh = (await gql(ONE, { id: r.id })).referral;
          if (fresh) {
            return showResult(fresh, "warning", t("inbox.changedMeanwhile", { name, status: code(fresh.status) }));
          }
        }
        if (!showFieldError(form, error.field, error.message)) {
          form.append(h("div", { class: "notice error", role: "alert" }, t("error.invalid", { message: error.message })));
        }
        return;
      }
      // With the reason Other, the note says why ("Other (say why in the note)" is a prompt, not a reason).
      const why = reason === "OTHER" ? note.replace(/[.!?…]+$/, "") : code(reason);
      showResult(payload.referral, "success", t("inbox.rejected", { name, reason: why }));
    } catch (error) {
      form.append(h("div", { class: "notice error", role: "alert" }, problem(error)));
    } finally {
      busy -= 1;
    }
  }

  /** Puts the server's `updated` referral in its row with a result line, focused and announced. */
  function showResult(updated, kind, text) {
    results.set(updated.id, { kind, text });
    adjustMarker(shown.find((s) => s.id === updated.id), updated);
    shown = shown.map((s) => (s.id === updated.id ? updated : s));
    const old = list.querySelector(`li[data-id="${CSS.escape(updated.id)}"]`);
    const replacement = row(updated);
    if (old) old.replaceWith(replacement);
    const line = replacement.querySelector(".row-result");
    if (line) line.focus();
    announce(text);
  }

  /** The user's own change is not "the list changed": the counts the list was read with follow it. */
  function adjustMarker(before, after) {
    if (!before || marker === null || before.status === after.status) return;
    const [counts, unopened] = marker.split("|");
    const by = Object.fromEntries(counts.split(",").filter(Boolean).map((c) => c.split(":")));
    by[before.status] = Number(by[before.status] || 0) - 1;
    by[after.status] = Number(by[after.status] || 0) + 1;
    const list_ = Object.entries(by)
      .filter(([, n]) => Number(n) > 0)
      .map(([s, n]) => ({ status: s, count: Number(n) }));
    const fewerUnopened = before.isNew && !after.isNew ? 1 : 0;
    marker = markerOf(list_, Number(unopened) - fewerUnopened);
    if (overdueSeen !== null && before.isOverdue && !after.isOverdue) overdueSeen -= 1;
  }

  function renderList(connection) {
    summary.textContent = t("inbox.count", { count: shown.length, total: connection.totalCount });
    if (!shown.length) {
      fill(more);
      return fill(list, h("p", { class: "empty" }, t("inbox.empty")));
    }
    const focused = document.activeElement;
    const within = focused && list.contains(focused) ? focused.closest("li[data-id]") : null;
    const kind = within ? ["a", "button.accept", "button.reject", ".row-result"].find((k) => focused.matches(k)) : null;
    const index = within ? [...list.querySelectorAll("li[data-id]")].indexOf(within) : -1;
    fill(list, h("ul", { class: "rows" }, shown.map(row)));
    if (within) {
      // A redraw (a poll) keeps focus where it was, else on the row's name; a row that left the list (answered,
      // now in another tab) hands focus to the row that took its place.
      const again = list.querySelector(`li[data-id="${CSS.escape(within.dataset.id)}"]`);
      const rows = list.querySelectorAll("li[data-id]");
      const instead = rows[Math.min(index, rows.length - 1)];
      const target = again
        ? (kind && again.querySelector(kind)) || again.querySelector("a")
        : instead && instead.querySelector("a");
      if (target) target.focus();
    }
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
      results.delete(updated.id);
      adjustMarker(shown.find((s) => s.id === updated.id), updated);
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

  async function refresh({ focusList = false } = {}) {
    results.clear();
    // "Show more" belongs to the list being replaced: off until the new one is drawn.
    for (const button of more.querySelectorAll("button")) button.disabled = true;
    try {
      await load();
      if (focusList) {
        const first = list.querySelector("li.referral a");
        (first || heading).focus();
      }
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
    changed,
    summary,
    list,
    more,
  );
  const timer = setInterval(() => {
    if (document.visibilityState !== "visible" || !app.viewer) return;
    // Not while the user is answering a referral from its row: a redraw would throw the form away.
    if (busy || list.querySelector("form.reject-form")) return;
    // The rows shown read again (at most MAX_PAGE); past that, only the counts, and a notice when they changed.
    if (shown.length > MAX_PAGE) pollMarker().catch(showStale);
    else load({ first: shown.length, announceArrivals: true, poll: true }).catch(showStale);
  }, POLL_MS);
  whileShown(container, () => clearInterval(timer));
}
