"""Storage: SQLModel tables, async sessions, repository functions, outbox and timers."""
