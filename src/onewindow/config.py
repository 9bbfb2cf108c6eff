"""Strict parsing of settings from environment variables.

A bad value stops start-up with an error that names the variable, so an operator never runs a
half-configured centre with a silently defaulted setting.
"""

import os
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off"
    )


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum {maximum}")
    return number


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None or value == "" else value


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty entry; separate hosts with single commas")
    return items


def env_time_zone(name: str, default: str) -> str:
    value = env_str(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a known IANA time zone") from None
    return value


def env_database(name: str, default_sqlite_path: Path) -> dict:
    value = _raw(name)
    if value is None or value == "":
        default_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite_path)}
    try:
        config = dj_database_url.parse(value)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"{name} is not a usable database URL: {error}") from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(f"{name} must point to PostgreSQL (postgres://…) or SQLite (sqlite:///…)")
    if engine == "django.db.backends.sqlite3" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no SQLite file")
    return config


def env_rate(name: str, default: str) -> str:
    """A request rate such as ``120/m`` (per second, minute, hour or day)."""
    value = env_str(name, default)
    number, _slash, period = value.partition("/")
    if not (number.isdigit() and int(number) > 0 and period in {"s", "m", "h", "d"}):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate like 120/m (per s, m, h or d)")
    return value


def env_cache(name: str) -> dict:
    """The default cache: in-process memory, or a shared Redis (``redis://host:6379/0``)."""
    value = env_str(name, "")
    if not value:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "onewindow"}
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"{name}={value!r} must be a redis:// address, or empty for the in-process cache"
        )
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value}
