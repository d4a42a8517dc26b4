"""`python -m bot` is the `wijksignaal` command."""

from bot.cli.main import app

app(prog_name="wijksignaal")
