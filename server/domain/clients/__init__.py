"""Clients (participants) of an agency, their program enrollments and benefit assignments."""
