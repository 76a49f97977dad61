"""GraphQL of case management: agency staff only."""
