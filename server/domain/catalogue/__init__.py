"""The agency's benefit catalogue: programs, benefit types, benefits, code sets and their item codes."""
