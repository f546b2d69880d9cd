"use strict";
// The alert queue: filters live in the address (a filtered queue can be bookmarked or shared), pages follow the
// API's keyset cursor, newest first. The queue is live (issue 19): the console's event stream announces alerts
// stored or changed since the page opened, and the page shown is read again instead of the analyst reloading it.
// Analysts select alerts, on this page and others, for a bulk action with a note; each alert is sent with the version
// it had when selected, so one changed meanwhile is reported stale rather than overwritten.
(async () => {
  const { el, api, time, number, score, money, badge, say, outcomes, showError } = Console;
  const session = await Console.start();
  const analyst = session.role === "analyst";
  const form = document.getElementById("filters");
  const rows = document.getElementById("alerts");
  const problem = document.getElementById("problem");
  const next = document.getElementById("next");
  const first = document.getElementById("first");
  const info = document.getElementById("page-info");
  const fields = ["status", "severity", "user", "from", "to"];
  const live = document.getElementById("live");
  let cursor = null;
  let shown = null;
  let pageNumber = 1;
  let fresh = new Set();
  let shownAlerts = [];
  const selected = new Map(); // id -> version when selected
  const selectPage = document.getElementById("select-page");
  const bulk = document.getElementById("bulk-form");
  const bulkMessage = document.getElementById("bulk-message");
  document.getElementById("bulk").hidden = !analyst;
  document.querySelector("th.select").hidden = !analyst;

  // The time inputs are in the analyst's own time zone, like the times in the table; the address and the API get UTC.
  const toInput = iso => {
    if (!iso || Number.isNaN(Date.parse(iso))) return "";
    const at = new Date(iso);
    return new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
  };
  const fromInput = local => (local ? new Date(local).toISOString() : "");
  const params = new URLSearchParams(location.search);
  for (const name of fields) {
    const value = params.get(name) ?? "";
    form.elements[name].value = name === "from" || name === "to" ? toInput(value) : value;
  }

  function filters() {
    const query = new URLSearchParams();
    for (const name of fields) {
      const raw = form.elements[name].value.trim();
      const value = name === "from" || name === "to" ? fromInput(raw) : raw;
      if (value) query.set(name, value);
    }
    return query;
  }

  async function load(after) {
    shown = after;
    const query = filters();
    query.set("limit", "25");
    if (after) query.set("cursor", after);
    try {
      const { body: page } = await api(`/api/alerts?${query}`);
      problem.replaceChildren();
      rows.replaceChildren(...page.items.map(alert => el("tr", { "data-alert": alert.id, class: selected.has(alert.id) ? "selected" : fresh.has(alert.id) ? "fresh" : undefined },
        analyst ? el("td", {}, el("input", {
          type: "checkbox", name: "select", "aria-label": `Select alert ${alert.id}`, checked: selected.has(alert.id),
          onchange: event => select(alert, event.target.checked),
        })) : null,
        el("td", {}, el("a", { href: `/alerts/${alert.id}`, text: time(alert.created_at) })),
        el("td", {}, badge(alert.severity)),
        el("td", { class: "num", text: score(alert.fraud_score) }),
        el("td", { class: "status", text: alert.status }),
        el("td", { text: alert.assignee ?? "" }),
        el("td", {}, el("a", { href: `/?user=${encodeURIComponent(alert.user_id)}`, text: alert.user_id })),
        el("td", { class: "num", text: money(alert.amount, alert.currency) }),
        el("td", { text: alert.merchant_id }),
        el("td", { text: alert.country }),
        el("td", { class: "wrap", text: alert.business_rules_triggered.join(", ") }))));
      if (page.items.length === 0) {
        rows.replaceChildren(el("tr", {}, el("td", { colspan: analyst ? 11 : 10, class: "muted", text: "No alert matches these filters." })));
      }
      shownAlerts = page.items;
      showSelection();
      cursor = page.next_cursor;
      next.disabled = !cursor;
      first.disabled = pageNumber === 1;
      info.textContent = `page ${pageNumber}, ${page.items.length} alerts${cursor ? "" : " (last page)"}`;
    } catch (error) {
      showError(problem, error);
    }
  }

  function select(alert, on) {
    if (on) selected.set(alert.id, alert.version);
    else selected.delete(alert.id);
    rows.querySelector(`tr[data-alert="${alert.id}"]`)?.classList.toggle("selected", on);
    showSelection();
  }

  function showSelection() {
    document.getElementById("selected-count").textContent = selected.size ? `${selected.size} selected` : "none";
    selectPage.checked = shownAlerts.length > 0 && shownAlerts.every(alert => selected.has(alert.id));
    for (const button of bulk.querySelectorAll("button")) button.disabled = selected.size === 0;
  }

  selectPage.addEventListener("change", () => {
    const on = selectPage.checked;
    for (const alert of shownAlerts) select(alert, on);
    for (const box of rows.querySelectorAll("input[name=select]")) box.checked = on;
  });

  async function act(action) {
    const note = bulk.elements.note.value.trim();
    if (!note) {
      bulkMessage.replaceChildren(say("error", "A bulk action needs a note: say why."));
      return;
    }
    const items = [...selected].map(([id, version]) => ({ id, version }));
    let outcome;
    try {
      const { body: result } = await api("/api/alerts/bulk", { method: "POST", body: JSON.stringify({ ...action, note, items }) });
      outcome = [say(result.failed ? "error" : "info", `${result.changed} changed, ${result.failed} not changed.`), outcomes(result.items)];
      selected.clear();
      bulk.elements.note.value = "";
    } catch (error) {
      outcome = [say("error", error.message)];
    }
    await load(shown);
    bulkMessage.replaceChildren(...outcome);
  }

  document.getElementById("bulk-assign").addEventListener("click", () => {
    const assignee = bulk.elements.analyst.value.trim();
    if (assignee) act({ action: "assign", assignee });
    else bulkMessage.replaceChildren(say("error", "Name the analyst to assign the selected alerts to."));
  });
  document.getElementById("bulk-investigate").addEventListener("click", () => act({ action: "status", status: "INVESTIGATING" }));
  document.getElementById("bulk-false-positive").addEventListener("click", () => act({ action: "status", status: "FALSE_POSITIVE" }));
  document.getElementById("bulk-clear").addEventListener("click", () => {
    selected.clear();
    for (const box of rows.querySelectorAll("input[name=select]")) box.checked = false;
    for (const row of rows.querySelectorAll("tr.selected")) row.classList.remove("selected");
    showSelection();
  });

  form.addEventListener("submit", event => {
    event.preventDefault();
    history.replaceState(null, "", `/?${filters()}`);
    pageNumber = 1;
    load(null);
  });
  form.addEventListener("reset", () => setTimeout(() => form.requestSubmit(), 0));
  next.addEventListener("click", () => { pageNumber += 1; load(cursor); });
  first.addEventListener("click", () => { pageNumber = 1; load(null); });
  await load(null);

  // What the stream announces: ids of alerts just stored ("created") or whose status or owner changed. The first
  // page shows new alerts, so it is read again; another page only when one of its rows changed.
  let pending = null;
  function refresh() {
    clearTimeout(pending);
    pending = setTimeout(() => load(shown), 250);
  }
  const stream = new EventSource("/api/alerts/stream");
  stream.addEventListener("open", () => { live.textContent = "live"; });
  stream.addEventListener("alerts", message => {
    const news = JSON.parse(message.data);
    const onPage = news.ids.some(id => rows.querySelector(`tr[data-alert="${id}"]`));
    if (news.kind === "created") news.ids.forEach(id => fresh.add(id));
    if ((news.kind === "created" && pageNumber === 1) || onPage || news.count > news.ids.length) refresh();
  });
  stream.addEventListener("resync", refresh);
  stream.addEventListener("error", () => {
    // The browser reconnects by itself, except when the console refused the stream (e.g. 503: too many open).
    live.textContent = stream.readyState === EventSource.CLOSED ? "live updates unavailable: reload to see what is new" : "live: reconnecting";
  });
  addEventListener("pagehide", () => stream.close());
})();
