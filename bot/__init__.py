"""The edge: Telegram bot, outbox sender, scheduler ticker, Bot API simulator and the CLI."""
