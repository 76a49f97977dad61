// Talks to /graphql with the session cookie. Failures become ApiError: kind is "unauthenticated",
// "not-found", "forbidden", "timeout", "network", "server" or "invalid". The server's messages are English: every
// error it sends (thrown, or a payload's `errors { code field message }`) reaches the views with its message in the
// user's language, from the catalogue by code and field (i18n.js errorText); the server's words stay in
// `serverMessage`.

import { errorText } from "./i18n.js";

const TIMEOUT_MS = 15000;
const listeners = new Set();

export class ApiError extends Error {
  constructor(kind, message, field = null, code = null) {
    super(message || kind);
    this.kind = kind;
    this.field = field;
    this.code = code;
  }
}

/** A payload's errors with their messages in the user's language, wherever they sit in `data`. */
function translated(data) {
  if (Array.isArray(data)) return data.map(translated);
  if (!data || typeof data !== "object") return data;
  const out = {};
  for (const [key, value] of Object.entries(data)) {
    out[key] =
      key === "errors" && Array.isArray(value)
        ? value.map((e) => (e && e.code && "message" in e ? { ...e, message: errorText(e), serverMessage: e.message } : e))
        : translated(value);
  }
  return out;
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
    const field = (first.extensions && first.extensions.field) || null;
    const kind = KINDS[code] || (code ? "invalid" : "server");
    if (kind === "unauthenticated") for (const listener of listeners) listener(first.message);
    const error = new ApiError(kind, code ? errorText({ code, field, message: first.message }) : first.message, field, code);
    error.serverMessage = first.message;
    throw error;
  }
  if (!response.ok || !body || !body.data) throw new ApiError("server");
  return translated(body.data);
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
