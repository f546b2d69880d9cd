// What every page of the console shares: calls to the JSON API (a 401 sends the browser to sign in), the header
// with the signed-in user, and small formatting helpers. No framework: the pages are a few tables and forms.
"use strict";

const Console = (() => {
  class ApiError extends Error {
    constructor(status, problem) {
      super(problem?.title ?? `HTTP ${status}`);
      this.status = status;
      this.problem = problem;
    }
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {
      credentials: "same-origin",
      ...options,
      headers: { Accept: "application/json", ...(options.body ? { "Content-Type": "application/json" } : {}), ...options.headers },
    });
    if (response.status === 401 && !path.startsWith("/api/session")) {
      location.assign(`/login?returnUrl=${encodeURIComponent(location.pathname + location.search)}`);
      throw new ApiError(401, { title: "Signed out." });
    }
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new ApiError(response.status, body);
    }
    // The status tells a change made (200) from one only proposed (202: four-eyes, a second analyst decides).
    return { body, etag: response.headers.get("ETag"), status: response.status };
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== undefined && child !== null) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 });
  const time = value => (value ? new Date(value).toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" }) : "");
  const number = value => (value === null || value === undefined || Number.isNaN(Number(value)) ? "–" : numberFormat.format(Number(value)));
  const score = value => Number(value).toFixed(3);
  const money = (amount, currency) => `${numberFormat.format(amount)} ${currency}`;
  const badge = severity => el("span", { class: `badge ${severity}`, text: severity });

  const say = (kind, text) => el("div", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status", text });
  const overdueMark = () => el("span", { class: "overdue", text: "overdue" });

  // What an action on several alerts (a case's, or a selection) left undone, alert by alert: the alerts it changed
  // need no word, the others say why (stale: changed meanwhile; not_allowed; needs_approval; not_found) and what they are now.
  const outcomes = items => el("ul", { class: "outcomes" }, items.filter(item => item.outcome !== "changed").map(item =>
    el("li", { "data-alert": item.id },
      el("a", { href: `/alerts/${item.id}`, text: item.id }), " ", el("strong", { text: item.outcome }), item.status ? ` (now ${item.status})` : "")));

  function showError(container, error) {
    const details = error.problem?.errors ? Object.entries(error.problem.errors).map(([k, v]) => `${k}: ${v.join("; ")}`).join(" · ") : "";
    container.replaceChildren(el("div", { class: "message error", role: "alert" }, error.message, details ? ` (${details})` : ""));
  }

  // The header every signed-in page shares: the pages, who is signed in, and signing out.
  const pages = [["queue", "/", "Alert queue"], ["cases", "/cases", "Case queue"], ["approvals", "/approvals", "Approvals"], ["bi", "/bi", "BI"], ["sre", "/sre", "Fleet"]];

  async function start() {
    const here = document.body.dataset.page;
    const who = el("span", { id: "who" });
    const signOut = el("button", { type: "button", text: "Sign out" });
    document.getElementById("bar").replaceChildren(
      el("span", { class: "brand", text: "Stream-Sentinel" }),
      el("nav", { "aria-label": "Pages" }, pages.map(([page, href, label]) =>
        el("a", { href, text: label, "aria-current": page === here ? "page" : null }))),
      el("span", { class: "who" }, who, signOut));
    const { body: session } = await api("/api/session");
    who.textContent = `${session.name} (${session.role})`;
    signOut.addEventListener("click", async () => {
      await api("/api/session", { method: "DELETE" });
      location.assign("/login");
    });
    return session;
  }

  return { api, el, time, number, score, money, badge, say, overdueMark, outcomes, showError, start, ApiError };
})();
