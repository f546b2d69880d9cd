"use strict";
// One alert: why it fired, the payment, the user's recent payments, its history, and the next steps of the
// workflow. A change sends the version this page was built from (If-Match); if someone changed the alert meanwhile
// the console refuses it (412) and the page shows what they did before anyone decides again.
(async () => {
  const { el, api, time, number, score, money, badge, say, showError } = Console;
  const session = await Console.start();
  const id = location.pathname.split("/").pop();
  const problem = document.getElementById("problem");
  const message = document.getElementById("decide-message");
  const form = document.getElementById("decide");
  let etag = null;

  const fact = (term, ...value) => [el("dt", { text: term }), el("dd", {}, ...value)];

  async function load() {
    let detail;
    try {
      const answer = await api(`/api/alerts/${id}`);
      detail = answer.body;
      etag = answer.etag;
    } catch (error) {
      showError(problem, error);
      return;
    }

    const alert = detail.alert;
    document.title = `${alert.severity} ${alert.transaction_id} · Stream-Sentinel`;
    document.getElementById("title").replaceChildren(badge(alert.severity), " ", `Alert on ${alert.transaction_id}`,
      el("span", { class: "muted" }, ` · score ${score(alert.fraud_score)} · `), el("span", { class: "status", id: "current-status", text: alert.status }));
    document.getElementById("summary").textContent = detail.explanation.summary ?? "";
    document.getElementById("reasons").replaceChildren(...(detail.explanation.items ?? []).map(item =>
      el("li", {}, el("strong", { text: item.code }), ` (${item.source}, weight ${number(item.weight)}): ${item.message}`)));
    document.getElementById("facts").replaceChildren(...[
      fact("Amount", money(alert.amount, alert.currency)),
      fact("User", el("a", { href: `/?user=${encodeURIComponent(alert.user_id)}`, text: alert.user_id })),
      fact("Merchant", `${alert.merchant_id} (category ${detail.merchant_category})`),
      fact("Country", alert.country),
      fact("Paid at", time(detail.event_time)),
      fact("Detected at", time(alert.detected_at)),
      fact("Model", `${detail.model_name} ${detail.model_version}`),
      fact("Rules", alert.business_rules_triggered.join(", ") || "none"),
      fact("Assignee", alert.assignee ?? "nobody yet"),
      fact("Updated", time(detail.updated_at)),
    ].flat());
    document.getElementById("recent").replaceChildren(...detail.recent_transactions.map(t => el("tr", { class: t.transaction_id === alert.transaction_id ? "this" : null },
      el("td", { text: time(t.event_time) }), el("td", { text: t.transaction_id }), el("td", { class: "num", text: money(t.amount, t.currency) }),
      el("td", { text: t.merchant_id }), el("td", { text: t.merchant_category }), el("td", { text: t.country }),
      el("td", { text: t.channel }), el("td", { text: t.device_id }))));
    document.getElementById("history").replaceChildren(...detail.history.map(h => el("tr", {},
      el("td", { text: time(h.occurred_at) }), el("td", { text: h.actor }), el("td", { text: h.action }),
      el("td", { text: h.details.from ? `${h.details.from} → ${h.details.to}` : "" }),
      el("td", { text: h.details.assignee ?? "" }), el("td", { class: "wrap", text: h.details.note ?? "" }))));
    if (detail.history.length === 0) {
      document.getElementById("history").replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "muted", text: "No change yet." })));
    }

    // Under four-eyes a verdict waits for a second analyst: the pending queue (oldest first, its first 200) says
    // whether this alert's does; the alert's own answer does not carry it.
    const { body: pending } = await api("/api/approvals");
    const waiting = pending.find(p => p.alert_id === alert.id);
    document.getElementById("pending").replaceChildren(...(waiting
      ? [el("div", { class: "message info", role: "status" },
        `${waiting.proposed_status} proposed by ${waiting.proposed_by}: waiting for a second analyst's approval (`,
        el("a", { href: "/approvals", text: "approvals" }), ").")]
      : []));

    const steps = document.getElementById("steps");
    if (session.role !== "analyst") {
      steps.replaceChildren(el("span", { class: "muted", text: "Viewers read alerts; analysts change them." }));
    } else if (detail.allowed_next.length === 0) {
      steps.replaceChildren(el("span", { class: "muted", text: `${alert.status} is final.` }));
    } else {
      steps.replaceChildren(...detail.allowed_next.map(status =>
        el("button", { class: "step", type: "button", text: `Mark ${status}`, onclick: () => change(status) })));
    }
  }

  async function change(status) {
    const body = { status, assignee: form.elements.assignee.value.trim() || null, note: form.elements.note.value.trim() || null };
    let outcome;
    try {
      const answer = await api(`/api/alerts/${id}/status`, { method: "POST", headers: { "If-Match": etag }, body: JSON.stringify(body) });
      form.reset();
      // 202: four-eyes took the verdict as a proposal; the alert keeps its status until a second analyst approves.
      outcome = say("info", answer.status === 202
        ? `${status} proposed: waiting for a second analyst's approval. The alert stays ${document.getElementById("current-status").textContent} until then.`
        : `Now ${status}.`);
    } catch (error) {
      const current = error.problem?.current;
      const text = error.status === 412 && current
        ? `Someone changed this alert since you read it: it is now ${current.status}${current.assignee ? `, assigned to ${current.assignee}` : ""}. `
          + "Your change was not made; decide again on the alert as it is now."
        : error.message;
      outcome = say("error", text);
    }
    // Either way the page shows the alert as it now is before saying what happened.
    await load();
    message.replaceChildren(outcome);
  }

  await load();
})();
