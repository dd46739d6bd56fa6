"""What every feature stands on: configuration, clock, logs, services, Slack clients, payload parsing."""
