"""Huey wiring: SqliteHuey file by default, RedisHuey with HUEY_URL=redis://….

Job payloads carry ids only, never personal data (DESIGN §5/§6).
"""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey, crontab

from .config import Settings, load_settings


def make_huey(settings: Settings) -> Huey:
    url = settings.huey_url
    if url.startswith("redis://") or url.startswith("rediss://"):
        return RedisHuey("hushbook", url=url)
    if url.startswith("sqlite:///"):
        return SqliteHuey("hushbook", filename=url.removeprefix("sqlite:///"))
    raise ValueError("HUEY_URL must be sqlite:///path or redis://…")


_settings = load_settings()
huey = make_huey(_settings)


@huey.periodic_task(crontab(minute="*/15"))
def housekeeping() -> int:
    """Drop expired refresh tokens and old login failures."""
    from . import identity
    from .db import database, open_database

    open_database(_settings.database_url)
    with database.connection_context():
        return identity.purge_expired()
