"use strict";
// The case queue (issue 19): a user's alerts detected close together are one line to decide. Filters and the order
// live in the address, like the alert queue's; pages follow the API's keyset cursor, which belongs to one order.
(async () => {
  const { el, api, time, number, badge, overdueMark, showError } = Console;
  await Console.start();
  const form = document.getElementById("filters");
  const rows = document.getElementById("cases");
  const problem = document.getElementById("problem");
  const next = document.getElementById("next");
  const first = document.getElementById("first");
  const info = document.getElementById("page-info");
  const texts = ["user", "open", "sort"];
  const checks = ["assignee", "overdue"];
  let cursor = null;
  let pageNumber = 1;

  const params = new URLSearchParams(location.search);
  for (const name of texts) form.elements[name].value = params.get(name) ?? "";
  for (const name of checks) form.elements[name].checked = params.get(name) === form.elements[name].value;

  function filters() {
    const query = new URLSearchParams();
    for (const name of texts) {
      const value = form.elements[name].value.trim();
      if (value) query.set(name, value);
    }
    for (const name of checks) {
      if (form.elements[name].checked) query.set(name, form.elements[name].value);
    }
    return query;
  }

  async function load(after) {
    const query = filters();
    query.set("limit", "25");
    if (after) query.set("cursor", after);
    try {
      const { body: page } = await api(`/api/cases?${query}`);
      problem.replaceChildren();
      rows.replaceChildren(...page.items.map(c => el("tr", { "data-case": c.id, class: c.overdue ? "overdue-row" : undefined },
        el("td", {}, el("a", { href: `/cases/${c.id}`, text: c.user_id })),
        el("td", {}, badge(c.worst_severity)),
        el("td", { class: "num", text: number(c.alerts) }),
        el("td", { class: "num", text: number(c.open_alerts) }),
        el("td", { class: "num", text: number(c.total_amount) }),
        el("td", { text: time(c.oldest_open) }),
        el("td", { text: time(c.last_alert_at) }),
        el("td", { class: "assignee", text: c.assignee ?? "" }),
        el("td", { class: "due" }, time(c.due_at), c.overdue ? [" ", overdueMark()] : null))));
      if (page.items.length === 0) {
        rows.replaceChildren(el("tr", {}, el("td", { colspan: 9, class: "muted", text: "No case matches these filters." })));
      }
      cursor = page.next_cursor;
      next.disabled = !cursor;
      first.disabled = pageNumber === 1;
      info.textContent = `page ${pageNumber}, ${page.items.length} cases${cursor ? "" : " (last page)"}`;
    } catch (error) {
      showError(problem, error);
    }
  }

  form.addEventListener("submit", event => {
    event.preventDefault();
    history.replaceState(null, "", `/cases?${filters()}`);
    pageNumber = 1;
    load(null);
  });
  form.addEventListener("reset", () => setTimeout(() => form.requestSubmit(), 0));
  next.addEventListener("click", () => { pageNumber += 1; load(cursor); });
  first.addEventListener("click", () => { pageNumber = 1; load(null); });
  await load(null);
})();
