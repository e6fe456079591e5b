"""Configuration: the one module that reads the environment.

:func:`load_settings` reads what a process fixes at start (instance, database,
queue, secrets, cost factors). The ``*_setting`` readers below are read at use,
because the worker and the tests may change them while a process runs (where
messages go, the public address, the rehearsal clock).

Secrets never live in the database. They come from the environment or from a
file in the instance folder that is generated once with mode 0600.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

SECRETS_FILE = "secrets.json"


@dataclass
class Settings:
    instance: Path
    database_url: str
    huey_url: str
    max_body_bytes: int = 64 * 1024
    issuer: str = "hushbook"
    access_ttl_seconds: int = 15 * 60
    refresh_ttl_seconds: int = 30 * 24 * 3600
    # scrypt cost (n = 2**log_n); 2**15 with r=8 needs 32 MiB per hash.
    scrypt_log_n: int = 15
    login_max_failures: int = 5
    login_window_seconds: int = 15 * 60
    # kid -> raw key bytes; the first entry signs, all verify (rotation).
    token_keys: dict[str, bytes] = field(default_factory=dict)
    current_kid: str = ""
    index_key: bytes = b""
    # Private halves of the delivery key pairs, one per month: deleting a month's
    # file crypto-shreds every contact sealed to it (keep it out of DB backups).
    delivery_keys_dir: Path | None = None
    # How long after an appointment its delivery contact stays openable.
    delivery_grace_days: int = 14
    debug: bool = False

    def instance_key(self, label: bytes, context: bytes) -> bytes:
        """A key for one purpose, derived from the instance index secret (outside
        the database): blind index, audit chain, login-failure subjects, metering,
        offers. Derived once per (label, context): public asks need several."""
        from Crypto.Hash import SHA256
        from Crypto.Protocol.KDF import HKDF

        cache = self.__dict__.setdefault("_derived_keys", {})
        if (label, context) not in cache:
            cache[(label, context)] = HKDF(self.index_key, 32, label, SHA256, context=context)
        return cache[(label, context)]

    # Number of reverse proxies in front whose X-Forwarded-For/-Proto to trust.
    trusted_proxies: int = 0


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int_env(name: str, default: int, low: int, high: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name}: a whole number from {low} to {high}")
    return int(raw)


def _flag_env(name: str) -> bool:
    raw = _env(name, "0")
    if raw not in ("0", "1"):
        raise ConfigError(f"{name}: 0 (off) or 1 (on)")
    return raw == "1"


def _instance_folder(raw: str) -> Path:
    """``HUSHBOOK_INSTANCE``: made (0700) if missing; it must be a folder we can write."""
    try:
        instance = Path(raw).resolve()
        instance.mkdir(mode=0o700, parents=True, exist_ok=True)  # DB and secrets live here
        if not os.access(instance, os.W_OK | os.X_OK):
            raise PermissionError(13, "not writable")
    except (OSError, RuntimeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ConfigError(f"HUSHBOOK_INSTANCE: cannot use that folder ({reason})") from None
    return instance


DATABASE_URL_FORM = "DATABASE_URL: sqlite:///path/to/file.db or postgresql://user@host:port/name"
HUEY_URL_FORM = "HUEY_URL: sqlite:///path/to/file.db or redis://host:port/db"


def _url_parts(url: str, form: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        raise ConfigError(form) from None
    return parts


def check_database_url(url: str) -> None:
    """The forms the service can open; the message never repeats the value (it
    may hold a password)."""
    parts = _url_parts(url, DATABASE_URL_FORM)
    if parts.scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return
    if parts.scheme in ("postgres", "postgresql") and parts.hostname and parts.path.strip("/"):
        return
    raise ConfigError(DATABASE_URL_FORM)


def check_huey_url(url: str) -> None:
    parts = _url_parts(url, HUEY_URL_FORM)
    if parts.scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return
    if parts.scheme in ("redis", "rediss") and parts.hostname:
        return
    raise ConfigError(HUEY_URL_FORM)


def where(url: str) -> str:
    """``host:port`` of a database URL (for messages: no user, no password)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return "the SQLite file"
    return f"{parts.hostname}:{parts.port or 5432}"


def load_settings(**overrides: object) -> Settings:
    instance = _instance_folder(
        str(overrides.pop("instance", None) or _env("HUSHBOOK_INSTANCE", "instance"))
    )
    database_url = str(
        overrides.pop("database_url", None)
        or _env("DATABASE_URL", f"sqlite:///{instance / 'hushbook.db'}")
    )
    check_database_url(database_url)
    huey_url = str(
        overrides.pop("huey_url", None) or _env("HUEY_URL", f"sqlite:///{instance / 'huey.db'}")
    )
    check_huey_url(huey_url)
    settings = Settings(instance=instance, database_url=database_url, huey_url=huey_url)
    settings.scrypt_log_n = _int_env("HUSHBOOK_SCRYPT_LOG_N", settings.scrypt_log_n, 10, 22)
    settings.trusted_proxies = _int_env("HUSHBOOK_TRUSTED_PROXIES", 0, 0, 5)
    settings.debug = _flag_env("HUSHBOOK_DEBUG")
    public_url()  # read at use, checked at start too
    message_lease_seconds(strict=True)
    sweep_seconds()
    log_format(), metrics_token()  # read at use, checked at start too
    pool_settings()
    for key, value in overrides.items():
        if not hasattr(settings, key):
            raise TypeError(f"unknown setting {key!r}")
        setattr(settings, key, value)
    if not settings.token_keys:
        settings.current_kid, settings.token_keys = load_token_keys(instance)
    if not settings.index_key:
        settings.index_key = load_index_key(instance)
    if settings.delivery_keys_dir is None:
        settings.delivery_keys_dir = Path(
            _env("HUSHBOOK_DELIVERY_KEYS_DIR", str(instance / "delivery-keys"))  # type: ignore[arg-type]
        )
    return settings


class ConfigError(ValueError):
    """A setting is present but unusable; the message names it, never its value."""


def parse_key_ring(text: str) -> tuple[str, dict[str, bytes]]:
    """Parse ``kid:base64key,kid:base64key`` (first = current signing key)."""
    ring: dict[str, bytes] = {}
    for item in text.split(","):
        kid, _, b64 = item.strip().partition(":")
        try:
            key = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        except ValueError:
            key = b""
        if not kid or len(key) < 32:
            raise ConfigError(
                "HUSHBOOK_TOKEN_KEYS: use kid:base64url-key[,kid:key…], keys of 32+ bytes"
            )
        ring[kid] = key
    return next(iter(ring)), ring


def load_token_keys(instance: Path) -> tuple[str, dict[str, bytes]]:
    """Token master keys from HUSHBOOK_TOKEN_KEYS, else the instance secrets file."""
    from_env = _env("HUSHBOOK_TOKEN_KEYS")
    if from_env:
        return parse_key_ring(from_env)
    data = read_secrets_file(instance)
    ring = {item["kid"]: base64.urlsafe_b64decode(item["key"]) for item in data["token_keys"]}
    return data["token_keys"][0]["kid"], ring


def _new_key_entry() -> dict[str, str]:
    return {
        "kid": secrets.token_hex(4),
        "key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }


def read_secrets_file(instance: Path) -> dict:
    path = instance / SECRETS_FILE
    if not path.exists():
        # Several processes may start at once: the first link wins, the rest read it.
        fresh = {"token_keys": [_new_key_entry()], "index_key": _random_b64()}
        write_secrets_file(instance, fresh, replace=False)
    data = json.loads(path.read_text())
    if "index_key" not in data:  # an instance from before blind indexes
        with _locked(instance):
            data = json.loads(path.read_text())
            data.setdefault("index_key", _random_b64())
            write_secrets_file(instance, data)
    return data


def _random_b64() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@contextmanager
def _locked(instance: Path) -> Iterator[None]:
    with open(instance / ".secrets.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def load_index_key(instance: Path) -> bytes:
    """The key of the blind index (returning clients): HUSHBOOK_INDEX_KEY or the
    instance secrets file. Never in the database: with it, an index over phone
    numbers can be reversed by trying them all."""
    raw = _env("HUSHBOOK_INDEX_KEY")
    if raw is None and _env("HUSHBOOK_TOKEN_KEYS"):
        # Secrets come from the environment (several hosts): a per-host file would
        # give each host its own index and returning clients would go unrecognised.
        raise ConfigError("HUSHBOOK_INDEX_KEY: required when HUSHBOOK_TOKEN_KEYS is set")
    raw = raw or read_secrets_file(instance)["index_key"]
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError:
        key = b""
    if len(key) < 32:
        raise ConfigError("HUSHBOOK_INDEX_KEY: base64url of 32+ random bytes")
    return key


def write_secrets_file(instance: Path, data: dict, replace: bool = True) -> None:
    """Write atomically with mode 0600 from the first byte."""
    path = instance / SECRETS_FILE
    tmp = path.with_name(f".{SECRETS_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    try:
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if another process created it first
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def rotate_token_key(instance: Path) -> str:
    """Add a new signing key in front; older keys keep verifying until retired."""
    data = read_secrets_file(instance)
    entry = _new_key_entry()
    data["token_keys"].insert(0, entry)
    write_secrets_file(instance, data)
    return entry["kid"]


def retire_token_key(instance: Path, kid: str) -> None:
    data = read_secrets_file(instance)
    if kid not in {k["kid"] for k in data["token_keys"]}:
        raise ValueError(f"no key {kid!r}")
    keys = [k for k in data["token_keys"] if k["kid"] != kid]
    if not keys:
        raise ValueError("cannot retire the only key")
    if keys[0]["kid"] != data["token_keys"][0]["kid"]:
        raise ValueError("cannot retire the current signing key; rotate first")
    data["token_keys"] = keys
    write_secrets_file(instance, data)


# --- read at use --------------------------------------------------------------------------


def public_url(default: str = "http://127.0.0.1:8000") -> str:
    """``HUSHBOOK_PUBLIC_URL``: where links in messages point: http(s)://host[:port][/path],
    nothing else (no user, query or fragment)."""
    url = str(_env("HUSHBOOK_PUBLIC_URL", default)).rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in url)
    ):
        raise ConfigError(
            "HUSHBOOK_PUBLIC_URL: http(s)://host[:port][/path], e.g. https://book.example.com"
        )
    return url


@dataclass(frozen=True)
class TransportSettings:
    """Where messages leave (``docs/messages.md``); secrets never in the database."""

    mail_from: str
    smtp_url: str | None
    sms_url: str | None
    sms_secret: bytes
    outbox: bool  # development only: messages without a transport become files


def transport_settings() -> TransportSettings:
    return TransportSettings(
        mail_from=str(_env("HUSHBOOK_MAIL_FROM", "booking@hushbook.invalid")),
        smtp_url=_env("HUSHBOOK_SMTP_URL"),
        sms_url=_env("HUSHBOOK_SMS_URL"),
        sms_secret=str(_env("HUSHBOOK_SMS_SECRET", "")).encode(),
        outbox=_env("HUSHBOOK_OUTBOX") == "1",
    )


def _seconds_env(name: str, default: str, strict: bool = True) -> float:
    raw = str(_env(name, default))
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 10**6:
        if not strict:
            return float(default)
        raise ConfigError(f"{name}: a number of seconds above 0")
    return value


def message_lease_seconds(strict: bool = False) -> float:
    """``HUSHBOOK_MESSAGE_LEASE_SECONDS``: a claimed message nobody finished is
    re-queued after this long (a worker renews the leases it holds every third of
    it while it sends). Read when the ledger is imported, where an error could
    only be a traceback: :func:`load_settings` refuses a wrong value."""
    return _seconds_env("HUSHBOOK_MESSAGE_LEASE_SECONDS", "30", strict)


@dataclass(frozen=True)
class PoolSettings:
    """Database connections per process (PostgreSQL's pool) and how long to wait
    for a new one: an outage is noticed in seconds, not at the OS's TCP timeout."""

    size: int
    connect_timeout: int


def pool_settings() -> PoolSettings:
    return PoolSettings(
        size=_int_env("HUSHBOOK_DB_POOL_SIZE", 10, 1, 1000),
        connect_timeout=_int_env("HUSHBOOK_DB_CONNECT_TIMEOUT", 3, 1, 60),
    )


def sweep_seconds() -> float:
    """``HUSHBOOK_SWEEP_SECONDS``: how often the worker looks for due messages."""
    return _seconds_env("HUSHBOOK_SWEEP_SECONDS", "15")


def clock_file() -> str | None:
    """``HUSHBOOK_CLOCK_FILE`` (tests and rehearsals only): a file with the fake now."""
    return _env("HUSHBOOK_CLOCK_FILE")


def keys_from_environment() -> bool:
    """Whether the token keys come from ``HUSHBOOK_TOKEN_KEYS`` (not the instance file)."""
    return _env("HUSHBOOK_TOKEN_KEYS") is not None


LOG_FORMATS = ("text", "json")


def log_format() -> str:
    """``HUSHBOOK_LOG_FORMAT``: ``text`` (default) or ``json`` (one object per line)."""
    value = str(_env("HUSHBOOK_LOG_FORMAT", "text"))
    if value not in LOG_FORMATS:
        raise ConfigError("HUSHBOOK_LOG_FORMAT: text or json")
    return value


def metrics_token() -> str | None:
    """``HUSHBOOK_METRICS_TOKEN``: the bearer token ``/metrics`` asks for; unset,
    only a scraper on this host (loopback, no proxy in between) is answered."""
    token = _env("HUSHBOOK_METRICS_TOKEN")
    if token is not None and len(token) < 16:
        raise ConfigError("HUSHBOOK_METRICS_TOKEN: at least 16 characters")
    return token


def metrics_dir() -> str | None:
    """``PROMETHEUS_MULTIPROC_DIR`` (read by prometheus_client too): set, the
    processes of one server share their figures through files there."""
    return _env("PROMETHEUS_MULTIPROC_DIR")
