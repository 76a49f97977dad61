"""GraphQL types, queries and mutations of referrals and provider search."""
