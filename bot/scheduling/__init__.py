"""The scheduling engine: a planner that fills the outbox and a dispatcher that empties it."""
