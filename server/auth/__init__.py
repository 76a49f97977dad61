"""Who is calling: the principal behind a request's bearer token or portal session cookie (`requests.identify`).

Password hashing, signed tokens and their revocation are core pieces (`server.core`); the sign-in routes are the
app's (`server.web`)."""
