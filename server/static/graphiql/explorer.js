// The Caseway API explorer: a sign-in bar over GraphiQL. The token lives in this tab's sessionStorage only.
(function () {
  "use strict";
  const KEY = "caseway.token";
  const $ = (id) => document.getElementById(id);
  const status = (text) => { $("cw-status").textContent = text; };

  const START = [
    "# Welcome to the Caseway API.",
    "# Sign in above with a demo account (`make run` printed them),",
    "# then run this query with the pink button. The schema (docs,",
    "# completion) is read once you are signed in.",
    "# Agency apps send `Authorization: Bearer <token>`;",
    "# `python -m server token EMAIL` prints one.",
    "query Network {",
    "  viewer { name role agency { name } provider { name } }",
    "  providers(first: 10) {",
    "    totalCount",
    "    edges { node { name type status facilities { name address { city } acceptingReferrals } } }",
    "  }",
    "}",
    "",
  ].join("\n");

  function headers() {
    const token = sessionStorage.getItem(KEY);
    return token ? { Authorization: "Bearer " + token } : {};
  }

  async function graphql(query) {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers() },
      body: JSON.stringify({ query }),
    });
    return response.json();
  }

  let root = null;
  function render() {
    const fetcher = GraphiQL.createFetcher({ url: "/graphql", headers: headers() });
    if (!root) root = ReactDOM.createRoot($("graphiql"));
    root.render(React.createElement(GraphiQL, {
      key: sessionStorage.getItem(KEY) || "anonymous",
      fetcher,
      defaultQuery: START,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false,
    }));
  }

  async function showViewer() {
    // Signed in by the token above, or by the session cookie a single sign-on (sign-on.js) leaves.
    const result = await graphql("{ viewer { name role agency { name } provider { name } } }").catch(() => ({}));
    const signedIn = Boolean(result.data && result.data.viewer);
    $("sign-in").hidden = signedIn;
    $("sign-on").hidden = signedIn || !$("sign-on").childElementCount;
    $("signed-in").hidden = !signedIn;
    if (!signedIn) {
      if (sessionStorage.getItem(KEY)) {
        sessionStorage.removeItem(KEY);
        status(result.errors ? result.errors[0].message : "Sign in again.");
      }
      return;
    }
    const v = result.data.viewer;
    const employer = (v.agency || v.provider || {}).name || "";
    $("cw-who").textContent = `Signed in as ${v.name} (${v.role.toLowerCase().replace("_", " ")}, ${employer})`;
  }

  $("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    status("Signing in…");
    const response = await fetch("/auth/token", { method: "POST", body: new FormData(event.target) });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      status(body.error_description || "Could not sign in.");
      return;
    }
    sessionStorage.setItem(KEY, body.access_token);
    event.target.reset();
    status("");
    await showViewer();
    render();
  });

  $("sign-out").addEventListener("click", async () => {
    sessionStorage.removeItem(KEY);
    await fetch("/auth/session", { method: "DELETE" }).catch(() => null); // ends a single sign-on's session
    status("Signed out.");
    await showViewer();
    render();
  });

  showViewer().then(render);
})();
