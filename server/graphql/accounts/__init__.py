"""GraphQL types, queries and mutations of the accounts area."""
