"""`python -m bot` is the `wijksignaal` command."""

from bot.cli import app

app(prog_name="wijksignaal")
