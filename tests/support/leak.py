"""Searching what the operator stores for personal data, in many encodings.

The leak tests (tests/test_leak.py, tests/e2e/test_wordpress_booking.py) put
distinctive personal values in through the front door, then look for them in
every byte the operator holds: files, a ``pg_dump``, a Redis job store.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from urllib.parse import quote, quote_plus

from .components import require
from .config import on_postgres

MIN_NEEDLE = 6  # shorter needles would match by chance


# --- encodings ---------------------------------------------------------------------------


def _b64_middles(raw: bytes) -> list[bytes]:
    """The part of base64(…value…) that does not depend on the bytes around it,
    for each of the three alignments, standard and URL-safe alphabets."""
    out = []
    for pad in range(3):
        enc = base64.b64encode(bytes(pad) + raw).rstrip(b"=")
        start = -(-8 * pad // 6)
        end = (8 * (pad + len(raw))) // 6
        middle = enc[start:end]
        out += [middle, middle.replace(b"+", b"-").replace(b"/", b"_")]
    return out


def encodings(text: str) -> dict[str, bytes]:
    """name -> bytes: how ``text`` could sit in a file, a dump or a log."""
    utf8 = text.encode()
    escaped = json.dumps(text)[1:-1]
    base = {
        "utf-8": utf8,
        "utf-16-le": text.encode("utf-16-le"),
        "utf-16-be": text.encode("utf-16-be"),
        "json-escaped": escaped.encode(),
        "json-escaped, upper hex": re.sub(
            r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), escaped
        ).encode(),
        "raw-unicode-escape (pickle 0)": text.encode("raw_unicode_escape"),
        "unicode-escape (repr)": text.encode("unicode_escape"),
    }
    try:
        base["latin-1"] = text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    found = dict(base)
    for name, raw in base.items():
        if b"\\" in raw:  # COPY / SQL literal escaping doubles backslashes
            found[f"{name}, backslashes doubled"] = raw.replace(b"\\", b"\\\\")
        found[f"{name}, hex (bytea in a dump)"] = raw.hex().encode()
    found["url-encoded"] = quote(text, safe="").encode()
    found["url-encoded (form)"] = quote_plus(text).encode()
    found["sha256 hex (unkeyed hash)"] = hashlib.sha256(utf8).hexdigest().encode()
    for i, middle in enumerate(_b64_middles(utf8)):
        if len(middle) >= 8:
            found[f"base64 #{i}"] = middle
    return found


def text_forms(value: str) -> dict[str, str]:
    forms = {
        "as given": value,
        "lower": value.lower(),
        "upper": value.upper(),
        "casefold": value.casefold(),
    }
    for name, form in list(forms.items()):
        forms[f"{name}, NFD"] = unicodedata.normalize("NFD", form)
    return forms


def needles(values: dict[str, str]) -> dict[bytes, str]:
    """Search bytes (lower-cased: the scan is ASCII-case-insensitive) -> description."""
    out: dict[bytes, str] = {}
    for label, value in values.items():
        for form_name, form in text_forms(value).items():
            for enc_name, raw in encodings(form).items():
                if len(raw) >= MIN_NEEDLE:
                    out.setdefault(raw.lower(), f"{label} = {value!r} ({form_name}, {enc_name})")
    return out


def scan(files: dict[str, bytes], wanted: dict[bytes, str]) -> list[str]:
    hits = []
    for name, data in files.items():
        low = data.lower()
        for needle, what in wanted.items():
            at = low.find(needle)
            if at >= 0:
                context = data[max(0, at - 40) : at + len(needle) + 40]
                hits.append(f"{what} in {name} @ {at}: {context!r}")
    return hits


# --- collecting the operator's copy -------------------------------------------------------


def collect_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def pg_dump(url: str, target: Path) -> None:
    require("pg_dump", shutil.which("pg_dump") is not None, "apt-get install postgresql-client")
    out = subprocess.run(
        ["pg_dump", "--no-owner", "--format=plain", f"--file={target}", f"--dbname={url}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, f"pg_dump failed: {out.stderr[-2000:]}"


def redis_dump(url: str, target: Path) -> None:
    """Every key and value of a Redis job store (when HUEY_URL is redis://…)."""
    import redis

    r = redis.Redis.from_url(url)
    with open(target, "wb") as fh:
        for key in r.scan_iter():
            kind = r.type(key).decode()
            if kind == "string":
                parts = [r.get(key)]
            elif kind == "list":
                parts = r.lrange(key, 0, -1)
            elif kind == "hash":
                parts = [b for kv in r.hgetall(key).items() for b in kv]
            elif kind == "set":
                parts = list(r.smembers(key))
            elif kind == "zset":
                parts = [m for m, _ in r.zrange(key, 0, -1, withscores=True)]
            else:
                parts = [r.dump(key) or b""]
            fh.write(key + b"\n" + b"\n".join(parts) + b"\n")


def dump_stores(settings, folder: Path, tag: str) -> None:
    """What is not a file here: the PostgreSQL database, a Redis job store."""
    folder.mkdir(exist_ok=True)
    if on_postgres():
        pg_dump(settings.database_url, folder / f"pg_dump-{tag}.sql")
    if settings.huey_url.startswith(("redis://", "rediss://")):
        redis_dump(settings.huey_url, folder / f"redis-{tag}.txt")
