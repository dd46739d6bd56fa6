"""A pair's life after it starts: pause, resume, end, planning, who may do what."""
