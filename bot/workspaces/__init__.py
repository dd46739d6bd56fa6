"""Installs: OAuth, the app manifest, a workspace stopping and coming back."""
