// Talks to /graphql with the session cookie. Failures become ApiError: kind is "unauthenticated",
// "not-found", "forbidden", "timeout", "network", "server" or "invalid".

const TIMEOUT_MS = 15000;
const listeners = new Set();

export class ApiError extends Error {
  constructor(kind, message, field = null) {
    super(message || kind);
    this.kind = kind;
    this.field = field;
  }
}

export function onSignedOut(listener) {
  listeners.add(listener);
}

const KINDS = { UNAUTHENTICATED: "unauthenticated", NOT_FOUND: "not-found", FORBIDDEN: "forbidden" };

async function send(url, options) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    return await fetch(url, { credentials: "same-origin", ...options, signal: controller.signal });
  } catch (error) {
    throw new ApiError(error.name === "AbortError" ? "timeout" : "network");
  } finally {
    clearTimeout(timer);
  }
}

/** The query's data; a top-level error (refused, not found, signed out) is thrown as an ApiError. */
export async function gql(query, variables = {}) {
  const response = await send("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiError("server");
  }
  if (body && body.errors && body.errors.length) {
    const first = body.errors[0];
    const code = first.extensions && first.extensions.code;
    const kind = KINDS[code] || (code ? "invalid" : "server");
    if (kind === "unauthenticated") for (const listener of listeners) listener(first.message);
    throw new ApiError(kind, first.message, first.extensions && first.extensions.field);
  }
  if (!response.ok || !body || !body.data) throw new ApiError("server");
  return body.data;
}

/** Signs in: {ok: true, name} or {ok: false, status, message}. */
export async function signIn(username, password) {
  const response = await send("/auth/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  return response.ok ? { ok: true, ...body } : { ok: false, status: response.status, error: body.error };
}

export async function signOut() {
  await send("/auth/session", { method: "DELETE" });
}
