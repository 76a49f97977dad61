"""Case management: cases, care plans with goals and tasks, notes, incidents, meetings, the caseworker's day."""
