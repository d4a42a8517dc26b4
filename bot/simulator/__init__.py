"""A local Bot API server for the demo and the tests, with the people who talk to it."""
