"""GraphQL types, queries and mutations of benefit schedules and sessions."""
