"""Pieces that know nothing of HTTP, GraphQL or the domain's rules: column types and the clock, record ids,
password hashing, signed tokens and their revocation. Every layer may use them; they import no other layer."""
