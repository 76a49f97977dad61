"""The domain: tables and the services that hold every rule. Every caller (GraphQL, CLI, demo) goes through it."""
