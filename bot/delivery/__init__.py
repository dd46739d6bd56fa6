"""The outbox engine: claim, render, post, record; it knows no feature."""
