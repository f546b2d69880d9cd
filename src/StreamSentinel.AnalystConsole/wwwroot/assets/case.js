"use strict";
// One case: its summary, its alerts, and actions that apply to every alert of it (assignment, a status step). An
// action sends the case's version (If-Match); an alert that changed or joined since answers 412, and the page shows
// the case as it now is before anyone decides again. A step reports what it did to each alert.
(async () => {
  const { el, api, time, number, score, money, badge, say, overdueMark, outcomes, showError } = Console;
  const session = await Console.start();
  const id = location.pathname.split("/").pop();
  const problem = document.getElementById("problem");
  const message = document.getElementById("act-message");
  const form = document.getElementById("act");
  // Every status an alert can step to; which alerts can take the step is the console's to say (not_allowed).
  const steps = ["INVESTIGATING", "CONFIRMED_FRAUD", "FALSE_POSITIVE", "RESOLVED"];
  let etag = null;

  const fact = (term, ...value) => [el("dt", { text: term }), el("dd", {}, ...value)];

  async function load() {
    let detail;
    try {
      const answer = await api(`/api/cases/${id}`);
      detail = answer.body;
      etag = answer.etag;
    } catch (error) {
      showError(problem, error);
      return;
    }

    const c = detail.case;
    document.title = `Case of ${c.user_id} · Stream-Sentinel`;
    document.getElementById("title").replaceChildren(badge(c.worst_severity), ` Case of ${c.user_id}`,
      el("span", { class: "muted", text: ` · ${c.open_alerts} open of ${c.alerts} alerts` }), ...(c.overdue ? [" ", overdueMark()] : []));
    document.getElementById("facts").replaceChildren(...[
      fact("User", el("a", { href: `/?user=${encodeURIComponent(c.user_id)}`, text: c.user_id })),
      fact("Assignee", el("span", { id: "assignee", text: c.assignee ?? "nobody" })),
      fact("Alerts", `${c.alerts} (${c.open_alerts} open)`),
      fact("Total amount", number(c.total_amount)),
      fact("Opened", time(c.opened_at)),
      fact("Latest alert", time(c.last_alert_at)),
      fact("Oldest open", time(c.oldest_open) || "none open"),
      fact("Due", el("span", { id: "due" }, c.due_at ? time(c.due_at) : "nothing open", c.overdue ? [" ", overdueMark()] : null)),
    ].flat());
    document.getElementById("alerts").replaceChildren(...detail.alerts.map(alert => el("tr", { "data-alert": alert.id },
      el("td", {}, el("a", { href: `/alerts/${alert.id}`, text: time(alert.created_at) })),
      el("td", {}, badge(alert.severity)),
      el("td", { class: "num", text: score(alert.fraud_score) }),
      el("td", { class: "status", text: alert.status }),
      el("td", { text: alert.assignee ?? "" }),
      el("td", { class: "num", text: money(alert.amount, alert.currency) }),
      el("td", { text: alert.merchant_id }),
      el("td", { text: alert.country }),
      el("td", { class: "wrap", text: alert.business_rules_triggered.join(", ") }))));

    const analyst = session.role === "analyst";
    form.hidden = !analyst;
    document.getElementById("read-only").hidden = analyst;
    document.getElementById("claim").disabled = c.assignee === session.name;
    document.getElementById("release").disabled = !c.assignee;
    document.getElementById("steps").replaceChildren(...steps.map(status =>
      el("button", { class: "step", type: "button", text: `Mark ${status}`, disabled: c.open_alerts === 0 && status !== "RESOLVED", onclick: () => step(status) })));
  }

  const note = () => form.elements.note.value.trim() || null;

  // 412: the problem carries the case as it is now; say what differs from what the analyst saw, then show it.
  function refused(error) {
    const current = error.problem?.current;
    if (error.status === 412 && current) {
      return say("error", "This case changed meanwhile (an alert of it changed or joined it since you read it): it is now "
        + `${current.open_alerts} open of ${current.alerts} alerts, ${current.assignee ? `assigned to ${current.assignee}` : "unassigned"}. `
        + "Your change was not made; decide again on the case as it is now.");
    }
    return say("error", error.message);
  }

  async function act(path, body, done) {
    let outcome;
    try {
      const { body: result } = await api(`/api/cases/${id}/${path}`, { method: "POST", headers: { "If-Match": etag }, body: JSON.stringify(body) });
      form.elements.note.value = "";
      outcome = done(result);
    } catch (error) {
      outcome = refused(error);
    }
    // Either way the page shows the case as it now is before saying what happened.
    await load();
    message.replaceChildren(...[outcome].flat());
  }

  const assign = assignee => act("assignee", { assignee, note: note() }, summary =>
    say("info", summary.assignee ? `Assigned to ${summary.assignee}.` : "Released: nobody owns this case now."));

  const step = status => act("status", { status, note: note() }, result => {
    const changed = result.alerts.filter(a => a.outcome === "changed").length;
    const others = result.alerts.length - changed;
    return [
      say("info", `${changed} of ${result.alerts.length} alerts now ${status}.`
        + (others ? ` ${others} left as they were: not_allowed cannot make that step, needs_approval must be proposed on the alert (four-eyes).` : "")),
      others ? outcomes(result.alerts) : null,
    ].filter(Boolean);
  });

  document.getElementById("claim").addEventListener("click", () => assign(session.name));
  document.getElementById("release").addEventListener("click", () => assign(null));
  document.getElementById("assign").addEventListener("click", () => {
    const analyst = form.elements.analyst.value.trim();
    if (analyst) assign(analyst);
    else message.replaceChildren(say("error", "Name the analyst to assign the case to."));
  });
  await load();
})();
