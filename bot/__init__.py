"""The edges: Telegram (chat), the command line (cli), the Bot API simulator and the demo."""

import os

# Opt in to python-telegram-bot's coming behaviour (time periods as timedelta) so that it
# does not warn on every 429; see PTB 22.2's deprecation of integer time periods.
os.environ.setdefault("PTB_TIMEDELTA", "true")
