"""The HTTP channels of `wijksignaal serve`: Telegram by webhook, and Open311 GeoReport v2."""
