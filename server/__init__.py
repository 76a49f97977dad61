"""Caseway: find the right provider, refer, deliver, count."""
