"""GraphQL types, queries and mutations of single sign-on: an organisation's own identity provider."""
