"use strict";
// Sign in, then back to the page that asked (only a path of this console, never another site).
document.getElementById("sign-in").addEventListener("submit", async event => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await Console.api("/api/session", { method: "POST", body: JSON.stringify({ name: form.get("name"), password: form.get("password") }) });
    const back = new URLSearchParams(location.search).get("returnUrl");
    location.assign(back && back.startsWith("/") && !back.startsWith("//") ? back : "/");
  } catch (error) {
    Console.showError(document.getElementById("problem"), error);
  }
});
