"""The program admins' view: the report, its Home section, the CSV export."""
