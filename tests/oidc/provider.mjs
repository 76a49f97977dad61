// A real OpenID provider for the tests: oidc-provider (a certified implementation) on a loopback port.
//
// Started by tests/oidc_provider.py, never by hand in production. Configuration comes as JSON in the environment
// variable CASEWAY_OIDC_CONFIG: {"adminToken": "...", "port": 0, "clients": [...], "accounts": [...]}. Once it
// listens it prints one JSON line {"issuer": "http://127.0.0.1:<port>"} on stdout.
//
// Besides the standard endpoints (discovery, /auth, /token, /me, /jwks, /session/end) it serves:
// - /interaction/<uid>: a minimal sign-in (type the email of a known account; consent is given automatically);
// - /test/...: test-only endpoints, each needing `Authorization: Bearer <adminToken>`:
//   POST /test/clients {client_id, client_secret, redirect_uris, ...}   register or replace a client
//   POST /test/accounts {email, email_verified, name, sub?}             add or replace an account -> {sub}
//   POST /test/id-token {claims}                                        a signed ID token -> {id_token}
//   POST /test/next-id-token-override {claims} | {id_token}             the next token response's ID token gets
//                                                                        these claims (null removes one), or is
//                                                                        replaced whole
//   DELETE /test/next-id-token-override                                 forget a pending override
import crypto from 'node:crypto';
import http from 'node:http';

import { Provider } from 'oidc-provider';

const config = JSON.parse(process.env.CASEWAY_OIDC_CONFIG ?? '{}');
const adminToken = config.adminToken;
if (!adminToken) {
  console.error('CASEWAY_OIDC_CONFIG needs an adminToken');
  process.exit(2);
}

// The provider's signing key, made at start: tests reach it through /jwks and /test/id-token only.
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), alg: 'RS256', use: 'sig' };

const accounts = new Map(); // sub -> {sub, email, email_verified, name}
let pendingOverride = null; // {claims} or {id_token}, used by the next token response that carries an ID token

function addAccount({ sub, email, email_verified = true, name }) {
  if (typeof email !== 'string' || !email.includes('@')) {
    throw new TypeError('an account needs an email');
  }
  const key = email.toLowerCase();
  for (const [existing, account] of accounts) {
    if (account.email.toLowerCase() === key) accounts.delete(existing);
  }
  const account = {
    sub: sub ?? `acct-${crypto.hash('sha256', key, 'hex').slice(0, 20)}`,
    email,
    email_verified: Boolean(email_verified),
    name: name ?? email.split('@')[0],
  };
  accounts.set(account.sub, account);
  return account;
}

function accountByEmail(email) {
  const key = email.trim().toLowerCase();
  return [...accounts.values()].find((account) => account.email.toLowerCase() === key);
}

// Storage for the provider's models. Clients registered at run time live in `clients` and never expire; the rest
// (sessions, interactions, codes, tokens, grants) expires as the provider asks.
const clients = new Map();
const store = new Map(); // `${model}:${id}` -> {payload, expiresAt}
const grantMembers = new Map(); // grantId -> Set of store keys

class TestAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    if (this.model === 'Client') {
      clients.set(id, payload);
      return;
    }
    const key = this.key(id);
    store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (this.model === 'Session') store.set(`sessionUid:${payload.uid}`, { payload: id, expiresAt: Infinity });
    if (payload.grantId) {
      if (!grantMembers.has(payload.grantId)) grantMembers.set(payload.grantId, new Set());
      grantMembers.get(payload.grantId).add(key);
    }
  }

  async find(id) {
    if (this.model === 'Client') return clients.get(id);
    const entry = store.get(this.key(id));
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(this.key(id));
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid) {
    const id = store.get(`sessionUid:${uid}`)?.payload;
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode() {
    return undefined;
  }

  async consume(id) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    if (this.model === 'Client') {
      clients.delete(id);
      return;
    }
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const key of grantMembers.get(grantId) ?? []) store.delete(key);
    grantMembers.delete(grantId);
  }
}

function b64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

// Signs with the provider's own key, as its ID tokens are: only the claims differ.
function signIdToken(claims) {
  const header = { alg: 'RS256', typ: 'JWT', kid: signingJwk.kid };
  const input = `${b64url(header)}.${b64url(claims)}`;
  const signature = crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url');
  return `${input}.${signature}`;
}

function withClaims(base, changes) {
  const claims = { ...base };
  for (const [name, value] of Object.entries(changes ?? {})) {
    if (value === null) delete claims[name];
    else claims[name] = value;
  }
  return claims;
}

function decodeClaims(idToken) {
  return JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString());
}

const server = http.createServer();
await new Promise((resolve) => server.listen(config.port ?? 0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  adapter: TestAdapter,
  jwks: { keys: [signingJwk] },
  cookies: {
    keys: [crypto.randomBytes(32).toString('base64url')],
    // Caseway runs on the same host (another port): browsers share cookies across ports, so no common names.
    names: { session: 'oidc_session', interaction: 'oidc_interaction', resume: 'oidc_interaction_resume' },
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The ID token of a code flow carries the email claims, as Entra ID, Okta, Keycloak and Google's do.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ ...account }) };
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><title>Sign-in error</title><h1>${escapeHtml(out.error)}</h1>`
      + `<p>${escapeHtml(out.error_description ?? '')}</p>`;
  },
});

// The token endpoint's answer, with the pending override applied to its ID token.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route !== 'token' || !pendingOverride || typeof ctx.body?.id_token !== 'string') return;
  const override = pendingOverride;
  pendingOverride = null;
  const idToken = override.id_token ?? signIdToken(withClaims(decodeClaims(ctx.body.id_token), override.claims));
  ctx.body = { ...ctx.body, id_token: idToken };
});

for (const client of config.clients ?? []) await registerClient(client);
for (const account of config.accounts ?? []) addAccount(account);

async function registerClient(metadata) {
  if (typeof metadata.client_id !== 'string' || !Array.isArray(metadata.redirect_uris)) {
    throw new TypeError('a client needs a client_id and redirect_uris');
  }
  const client = {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    ...metadata,
  };
  await provider.Client.validate(client);
  await new TestAdapter('Client').upsert(client.client_id, client);
}

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, clientId, email, error) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test identity provider: sign in</title></head>
<body>
<main>
<h1>Test identity provider</h1>
<p>Sign in to ${escapeHtml(clientId)}</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" value="${escapeHtml(email ?? '')}" required autofocus>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>`;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(type === 'application/json' ? JSON.stringify(body) : body);
}

async function interaction(req, res, path) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params } = details;
  if (prompt.name === 'login') {
    if (req.method === 'POST' && path.endsWith('/login')) {
      const email = new URLSearchParams(await readBody(req)).get('email') ?? '';
      const account = accountByEmail(email);
      if (!account) {
        send(res, 200, loginPage(uid, params.client_id, email, `No account for ${email}.`), 'text/html');
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, {
        mergeWithLastSubmission: false,
      });
      return;
    }
    send(res, 200, loginPage(uid, params.client_id), 'text/html');
    return;
  }
  if (prompt.name === 'consent') {
    // Consent is given at once: the tests are about the relying party, not about this screen.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, {
      mergeWithLastSubmission: true,
    });
    return;
  }
  send(res, 400, `unexpected prompt ${escapeHtml(prompt.name)}`, 'text/plain');
}

async function admin(req, res, path) {
  const expected = Buffer.from(`Bearer ${adminToken}`);
  const given = Buffer.from(req.headers.authorization ?? '');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    send(res, 401, { error: 'the admin token is needed' });
    return;
  }
  const text = req.method === 'POST' ? await readBody(req) : '';
  const body = text ? JSON.parse(text) : {};
  if (req.method === 'POST' && path === '/test/clients') {
    await registerClient(body);
    send(res, 201, { client_id: body.client_id });
  } else if (req.method === 'POST' && path === '/test/accounts') {
    send(res, 201, addAccount(body));
  } else if (req.method === 'POST' && path === '/test/id-token') {
    const now = Math.floor(Date.now() / 1000);
    const claims = withClaims({ iss: issuer, iat: now, exp: now + 600 }, body.claims);
    send(res, 200, { id_token: signIdToken(claims), claims });
  } else if (req.method === 'POST' && path === '/test/next-id-token-override') {
    if (typeof body.id_token !== 'string' && typeof body.claims !== 'object') {
      throw new TypeError('an override needs claims or an id_token');
    }
    pendingOverride = typeof body.id_token === 'string' ? { id_token: body.id_token } : { claims: body.claims };
    send(res, 200, pendingOverride);
  } else if (req.method === 'DELETE' && path === '/test/next-id-token-override') {
    pendingOverride = null;
    send(res, 200, {});
  } else {
    send(res, 404, { error: `no ${req.method} ${path}` });
  }
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  const path = new URL(req.url, issuer).pathname;
  try {
    if (path.startsWith('/test/')) await admin(req, res, path);
    else if (path.startsWith('/interaction/')) await interaction(req, res, path);
    else callback(req, res);
  } catch (error) {
    console.error(error);
    const message = [String(error), error.error_description].filter(Boolean).join(': ');
    if (!res.headersSent) send(res, error instanceof TypeError || error.expose ? 400 : 500, { error: message });
  }
});

function stop() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The fixture holds our stdin open: when its process ends, even killed, stdin closes and the provider stops too.
process.stdin.on('end', stop);
process.stdin.resume();

console.log(JSON.stringify({ issuer }));
