"""Service delivery: providers' benefit schedules, the agency's approval, and the sessions they generate."""
