"""GraphQL types, queries and mutations of API clients: an agency's apps using OAuth 2.0 client credentials."""
