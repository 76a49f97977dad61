"""The GraphQL API: types, resolvers that translate, and nothing that decides (the domain decides)."""
