// Single sign-on in the API explorer: "Sign in with <organisation>" beside the password form, for every
// organisation (agency or provider) that registered its identity provider. Signing in that way leaves a session
// cookie, which explorer.js's requests carry.
(function () {
  "use strict";
  const nav = document.getElementById("sign-on");

  fetch("/auth/sso/providers")
    .then((response) => (response.ok ? response.json() : []))
    .then((choices) => {
      for (const choice of choices) {
        const link = document.createElement("a");
        link.href = `/auth/sso/${encodeURIComponent(choice.key)}/start?to=graphiql`;
        link.textContent = `Sign in with ${choice.label}`;
        nav.append(link);
      }
      // Shown only while the password form is (signed out).
      nav.hidden = !choices.length || document.getElementById("sign-in").hidden;
    })
    .catch(() => null);
})();
