"""Programs: a lead creates one, people enrol, the cohort is matched, reviewed and published as
ordinary pairs; the lead sees each program's counts on the Home tab."""
