"""Goals & Vision: starting and editing the plan, its summary and goals."""
