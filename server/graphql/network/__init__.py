"""GraphQL types, queries and mutations of the network area."""
