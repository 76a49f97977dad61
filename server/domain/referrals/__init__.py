"""Referrals: an agency sends a client to a provider, and both follow it to its end (FHIR Task states)."""
