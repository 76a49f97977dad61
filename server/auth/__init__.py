"""Sign-in: password hashing, signed tokens, the request's principal and the token route."""
