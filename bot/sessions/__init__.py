"""Sessions with substance: agendas before a meeting, notes and action items after it, and the
items carried into the next nudge until they are done or dropped."""
