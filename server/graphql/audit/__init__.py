"""GraphQL types, queries and mutations of the audit area."""
