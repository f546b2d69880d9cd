"use strict";
// Sign in, then back to the page that asked. The server decides where "back" is (return_to: a path of this console,
// or "/"): a returnUrl such as "//evil.example" or "/\\evil.example" never leads to another site.
document.getElementById("sign-in").addEventListener("submit", async event => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const returnUrl = new URLSearchParams(location.search).get("returnUrl");
    const { body } = await Console.api("/api/session", {
      method: "POST",
      body: JSON.stringify({ name: form.get("name"), password: form.get("password"), return_url: returnUrl }),
    });
    location.assign(body?.return_to ?? "/");
  } catch (error) {
    Console.showError(document.getElementById("problem"), error);
  }
});
