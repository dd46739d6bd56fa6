"""Operator commands: doctor, backup, the demo."""
