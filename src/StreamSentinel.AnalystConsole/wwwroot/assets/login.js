"use strict";
// Sign in, then back to the page that asked: only a page of this console (resolved against it and checked for the
// same origin, so "/\\evil.example" or "//evil.example" lead home instead).
document.getElementById("sign-in").addEventListener("submit", async event => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await Console.api("/api/session", { method: "POST", body: JSON.stringify({ name: form.get("name"), password: form.get("password") }) });
    const back = new URL(new URLSearchParams(location.search).get("returnUrl") ?? "/", location.origin);
    location.assign(back.origin === location.origin ? back.pathname + back.search + back.hash : "/");
  } catch (error) {
    Console.showError(document.getElementById("problem"), error);
  }
});
