"""Milestones & Reflection: milestone prompts, DM conversations, announcements."""
