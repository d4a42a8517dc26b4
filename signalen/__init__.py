"""The signals domain: what a report is, how it lives and when it is due (pure Python)."""
