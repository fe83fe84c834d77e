"""Use cases: each takes an actor and a command, opens one unit of work and commits once."""
