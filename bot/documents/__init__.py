"""The plan leaves the bot: the meeting series as a calendar file (and a private subscription),
the plan as a Slack canvas the pair can edit, or as a Markdown file."""
