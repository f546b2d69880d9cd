"use strict";
// The fleet for SREs, refreshed every 5 s: each configured worker's readiness and lag per partition as it answers
// now, every worker that publishes performance snapshots, and the stages over the last 30 minutes. A step without
// snapshots is a gap in the charts, not a line drawn across it: nobody reported, which is not the same as zero.
(async () => {
  const { el, api, time, number, showError } = Console;
  await Console.start();
  const problem = document.getElementById("problem");
  const colors = { detection: "#1f5fbf", persistence: "#2b8a3e", gateway: "#d9480f", console: "#7048e8" };
  const charts = {};
  const minutes = 30;
  const span = minutes * 60 * 1000;

  // Every step of the window is on the axis, reported or not, so that a silence shows as a gap.
  function axis(fleet) {
    const step = fleet.step_seconds * 1000;
    const end = Math.floor(Date.parse(fleet.checked_at) / step) * step;
    return Array.from({ length: Math.floor(span / step) + 1 }, (_, i) => end - span + (i * step));
  }

  function chart(id, fleet, value) {
    const steps = fleet.steps;
    const labels = axis(fleet);
    const kinds = [...new Set(steps.map(s => s.worker_kind))].sort();
    const datasets = kinds.map(kind => {
      const byStep = new Map(steps.filter(s => s.worker_kind === kind).map(s => [Date.parse(s.step), value(s)]));
      return { label: kind, data: labels.map(l => byStep.get(l) ?? null), borderColor: colors[kind] ?? "#5b6472", backgroundColor: colors[kind] ?? "#5b6472", spanGaps: false, pointRadius: 2 };
    });
    const shown = labels.map(l => new Date(l).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }));
    if (charts[id]) {
      charts[id].data.labels = shown;
      charts[id].data.datasets = datasets;
      charts[id].update("none");
      return;
    }
    charts[id] = new Chart(document.getElementById(id), {
      type: "line",
      data: { labels: shown, datasets },
      options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
    });
  }

  // Per topic: how many partitions and their total, then the partitions that lag most (a worker may own dozens).
  function partitions(lag) {
    if (lag.length === 0) return "no partition assigned";
    const topics = Map.groupBy(lag, p => p.topic);
    return [...topics].map(([topic, owned]) => {
      const behind = owned.filter(p => p.lag > 0).sort((a, b) => b.lag - a.lag);
      const worst = behind.slice(0, 6).map(p => `[${p.partition}] ${number(p.lag)}`).join(", ");
      const total = owned.reduce((sum, p) => sum + p.lag, 0);
      return `${topic}: ${owned.length} partitions, ${number(total)} behind${worst ? ` (most: ${worst}${behind.length > 6 ? ", …" : ""})` : ""}`;
    }).join("; ");
  }

  async function refresh() {
    let fleet;
    try {
      ({ body: fleet } = await api(`/api/fleet?minutes=${minutes}`));
      problem.replaceChildren();
    } catch (error) {
      showError(problem, error);
      return;
    }

    document.getElementById("checked").textContent = `· checked ${time(fleet.checked_at)}, steps of ${fleet.step_seconds} s`;
    document.getElementById("probed").replaceChildren(...fleet.probed.map(w => el("tr", { "data-worker": w.name },
      el("td", {}, el("a", { href: `${w.url}/metrics`, text: w.name })),
      el("td", { class: w.ready ? "ready" : "not-ready", text: w.ready ? "ready" : "not ready" }),
      el("td", { class: "wrap", text: w.readiness }),
      el("td", { class: "num", text: number(w.lag.reduce((sum, p) => sum + p.lag, 0)) }),
      el("td", { class: "wrap" }, partitions(w.lag)))));
    if (fleet.probed.length === 0) {
      document.getElementById("probed").replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "muted", text: "No worker configured (Console:Workers)." })));
    }
    // Workers that went quiet (stopped, or gone without a word) are folded under one line, below those reporting now.
    const reportingRow = w => el("tr", {},
      el("td", { text: w.worker_kind }), el("td", { text: w.worker_id }),
      el("td", { class: w.seconds_silent > 60 ? "not-ready" : null, text: `${time(w.last_snapshot)} (${Math.round(w.seconds_silent)} s ago)` }),
      el("td", { class: "num", text: w.lag === null ? "–" : number(w.lag) }),
      el("td", { class: "num", text: number(w.messages_out) }), el("td", { class: "num", text: number(w.dead_letters) }));
    const live = fleet.reporting.filter(w => w.seconds_silent <= 60);
    const silent = fleet.reporting.filter(w => w.seconds_silent > 60);
    document.getElementById("reporting").replaceChildren(...live.map(reportingRow));
    if (live.length === 0) {
      document.getElementById("reporting").replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "muted", text: "No worker reported in the last minute." })));
    }
    const quiet = document.getElementById("silent");
    quiet.hidden = silent.length === 0;
    quiet.querySelector("summary").textContent = `${silent.length} worker(s) silent for over a minute in the last 30 minutes (stopped, or gone)`;
    quiet.querySelector("tbody").replaceChildren(...silent.map(reportingRow));
    chart("throughput", fleet, s => s.out_per_second);
    chart("lag", fleet, s => s.lag);
    chart("flush", fleet, s => s.flush_p99_ms);
    chart("dlq", fleet, s => s.dead_letters);
  }

  await refresh();
  setInterval(refresh, 5000);
})();
