"""Keys, costs and URLs that every suite shares (test values, never production)."""

from __future__ import annotations

import base64
import os

# The API suites run on SQLite by default and on PostgreSQL when this is set
# (``.ci/run`` does both); Huey on Redis when HUSHBOOK_TEST_HUEY_URL is set.
TEST_DB_URL = os.environ.get("HUSHBOOK_TEST_DATABASE_URL", "")
TEST_HUEY_URL = os.environ.get("HUSHBOOK_TEST_HUEY_URL", "")

SCRYPT_LOG_N = 10  # fast password hashes in tests; production default is 15
VAULT_LOG_N = 10  # test-only vault scrypt cost (production: 17, floor 16)
PASSWORD = "Correct-Horse-Battery-9"
TOKEN_KEYS = "test1:" + base64.urlsafe_b64encode(b"k" * 32).decode()
INDEX_KEY = base64.urlsafe_b64encode(b"i" * 32).decode()

# What the service reads from its environment: the tests' keys, at test cost.
KEY_ENV = {
    "HUSHBOOK_TOKEN_KEYS": TOKEN_KEYS,
    "HUSHBOOK_INDEX_KEY": INDEX_KEY,
    "HUSHBOOK_SCRYPT_LOG_N": str(SCRYPT_LOG_N),
}


def on_postgres() -> bool:
    return TEST_DB_URL.startswith("postgres")
