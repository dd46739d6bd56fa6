"""Program reports: counts for program admins (never reflection text), their Home section, the CSV export."""
