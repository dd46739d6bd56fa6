"""Pure domain logic: schedules, milestones and time formatting (no Slack, no database)."""
