"""Every delivery kind."""
