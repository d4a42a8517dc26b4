"""The use cases, channel-independent: every change to a signal, its timers and its notices."""
