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
