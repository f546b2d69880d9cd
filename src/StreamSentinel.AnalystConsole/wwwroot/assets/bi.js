"use strict";
// The BI queries of sql/bi: pick one, a window and a row count; the console runs it on ClickHouse and draws it as
// its file says (its "-- Chart:" line), with the rows beneath.
(async () => {
  const { el, api, number, showError } = Console;
  await Console.start();
  const form = document.getElementById("bi-form");
  const select = document.getElementById("query");
  const problem = document.getElementById("problem");
  const palette = ["#1f5fbf", "#d9480f", "#2b8a3e", "#7048e8", "#b08900"];
  let chart = null;

  const { body: queries } = await api("/api/bi");
  select.replaceChildren(...queries.map(q => el("option", { value: q.name, text: q.name.replaceAll("_", " ") })));
  const params = new URLSearchParams(location.search);
  for (const name of ["name", "from", "to", "limit"]) {
    if (params.get(name)) form.elements[name].value = params.get(name);
  }
  // A name this console does not know (an old bookmark) leaves the select empty: start from the first query.
  if (!queries.some(q => q.name === select.value)) select.value = queries[0].name;

  async function run() {
    const query = queries.find(q => q.name === select.value);
    document.getElementById("description").textContent = query.description;
    const search = new URLSearchParams({ limit: form.elements.limit.value || "24" });
    if (form.elements.from.value) search.set("from", `${form.elements.from.value}T00:00:00Z`);
    if (form.elements.to.value) search.set("to", `${form.elements.to.value}T00:00:00Z`);
    history.replaceState(null, "", `/bi?${new URLSearchParams({ name: query.name, ...Object.fromEntries(new FormData(form)) })}`);
    let result;
    try {
      ({ body: result } = await api(`/api/bi/${query.name}?${search}`));
      problem.replaceChildren();
    } catch (error) {
      showError(problem, error);
      return;
    }

    document.getElementById("result-head").replaceChildren(el("tr", {}, result.columns.map(c => el("th", { text: c }))));
    // The chart's X column names things (an hour, a category code, a rule); the rest are figures, shown as such.
    const x = query.chart ? result.columns.indexOf(query.chart.x) : 0;
    const figure = value => value !== "" && !Number.isNaN(Number(value));
    document.getElementById("result-body").replaceChildren(...result.rows.map(row => el("tr", {},
      row.map((value, i) => i !== x && figure(value) ? el("td", { class: "num", text: number(value) }) : el("td", { text: value })))));
    if (result.rows.length === 0) {
      document.getElementById("result-body").replaceChildren(el("tr", {}, el("td", { class: "muted", text: "No rows in this window." })));
    }
    draw(query.chart, result);
  }

  function draw(spec, result) {
    chart?.destroy();
    chart = null;
    if (!spec || result.rows.length === 0) return;
    const x = result.columns.indexOf(spec.x);
    let rows = result.rows;
    // Lines run forward in time; the queries list the most recent rows first.
    if (spec.kind === "line") rows = [...rows].sort((a, b) => (a[x] < b[x] ? -1 : a[x] > b[x] ? 1 : 0));
    chart = new Chart(document.getElementById("chart"), {
      type: spec.kind,
      data: {
        labels: rows.map(r => r[x]),
        datasets: spec.y.map((column, i) => {
          const index = result.columns.indexOf(column);
          return {
            label: column,
            data: rows.map(r => (r[index] === "nan" ? null : Number(r[index]))),
            borderColor: palette[i % palette.length],
            backgroundColor: palette[i % palette.length],
            spanGaps: true,
          };
        }),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { tooltip: { callbacks: { label: c => `${c.dataset.label}: ${number(c.parsed.y)}` } } },
      },
    });
  }

  form.addEventListener("submit", event => { event.preventDefault(); run(); });
  select.addEventListener("change", run);
  await run();
})();
