"""GraphQL types, queries and mutations of clients, enrollments and benefit assignments."""
