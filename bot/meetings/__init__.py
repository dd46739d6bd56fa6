"""Structure & Communication: the meeting series, its nudges and their answers."""
