"""One settings object from the environment or `.env`, built once and passed in."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from opslag.database import DEFAULT_DATABASE_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str | None = None
    telegram_bot_username: str = "wijksignaal_bot"
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str = DEFAULT_DATABASE_URL
    wijksignaal_config: Path | None = None
    log_level: str = "INFO"
    # `wijksignaal serve`: where Telegram delivers (its path is the app's webhook path), the
    # secret Telegram sends along, and the keys Open311 clients use.
    wijksignaal_webhook_url: str | None = None
    wijksignaal_webhook_secret: str | None = None
    open311_api_keys: str = ""
    # Set by `serve` for its worker processes: how many there are.
    wijksignaal_workers: int = 1

    def api_keys(self) -> tuple[str, ...]:
        return tuple(key.strip() for key in self.open311_api_keys.split(",") if key.strip())
