"""The `wijksignaal` command."""
