"use strict";
// Pending verdicts under four-eyes (issue 19), oldest first: a second analyst approves (the alert takes the verdict)
// or rejects, with a note. The console refuses the proposer (403) and a proposal already decided (409); the page says
// so and reads the queue again.
(async () => {
  const { el, api, time, say, showError } = Console;
  const session = await Console.start();
  const rows = document.getElementById("approvals");
  const problem = document.getElementById("problem");
  const message = document.getElementById("decide-message");
  const analyst = session.role === "analyst";

  async function load() {
    try {
      const { body: pending } = await api("/api/approvals");
      problem.replaceChildren();
      rows.replaceChildren(...pending.map(p => {
        const note = el("input", { name: "note", maxlength: 2000, size: 24, "aria-label": "Your note", disabled: !analyst });
        return el("tr", { "data-approval": p.id, "data-alert": p.alert_id },
          el("td", { text: time(p.proposed_at) }),
          el("td", {}, el("a", { href: `/alerts/${p.alert_id}`, text: p.alert_id })),
          el("td", { class: "status", text: p.proposed_status }),
          el("td", { text: p.proposed_by + (p.proposed_by === session.name ? " (you)" : "") }),
          el("td", { class: "wrap", text: p.note ?? "" }),
          el("td", {}, note),
          el("td", {}, analyst
            ? [el("button", { class: "step", type: "button", text: "Approve", onclick: () => decide(p, "approve", note.value) }), " ",
              el("button", { class: "secondary", type: "button", text: "Reject", onclick: () => decide(p, "reject", note.value) })]
            : el("span", { class: "muted", text: "analysts decide" })));
      }));
      if (pending.length === 0) {
        rows.replaceChildren(el("tr", {}, el("td", { colspan: 7, class: "muted", text: "No verdict is waiting for approval." })));
      }
    } catch (error) {
      showError(problem, error);
    }
  }

  async function decide(proposal, verb, note) {
    let outcome;
    try {
      const { body: result } = await api(`/api/approvals/${proposal.id}/${verb}`, { method: "POST", body: JSON.stringify({ note: note.trim() || null }) });
      outcome = say("info", verb === "approve"
        ? `Approved: alert ${result.alert.id} is now ${result.alert.status}.`
        : `Rejected: alert ${result.alert.id} stays ${result.alert.status}.`);
    } catch (error) {
      outcome = say("error", error.status === 403
        ? `You proposed this verdict, so you cannot ${verb} it: a second analyst must decide it.`
        : error.message);
    }
    await load();
    message.replaceChildren(outcome);
  }

  await load();
})();
