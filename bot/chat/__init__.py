"""The Telegram edge: handlers, the conversation, the outbox sender, polling."""
