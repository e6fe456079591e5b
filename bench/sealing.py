"""Benchmark of client-data sealing (``hushbook.sealing``).

Run:  .venv/bin/python bench/sealing.py [--quick]

Workload: 2,000 realistic client profiles (seed 1): name, e-mail, phone and
notes of 0-40 words (one in five empty), German names with
umlauts. All times are wall-clock, one call at a time, back to back.

Rows:
  seal_profile   one profile -> one HPKE blob per field (fresh ephemeral key
                 per field: one X25519 key generation + one DH each)
  open_profile   the inverse (one DH per field)
  AES-GCM base   the same field bytes encrypted (resp. decrypted) with plain
                 AES-256-GCM under one fixed key and a fresh nonce per field,
                 in the same run: the floor any authenticated encryption pays;
                 x base = sealing median / baseline median
  per field      seal_profile / open_profile time divided by the field count
  unwrap         unwrap_private_key with the production scrypt parameters
                 (what a staff member waits for once per session), median of 5

Sizes: raw blob bytes versus UTF-8 plaintext bytes per field, and the stored
JSON (base64url blobs) versus the same profile as plain JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable

import Crypto
from Crypto.Cipher import AES
from machine import describe

from hushbook import sealing

FIRST = ["Anna", "Jürgen", "Zoë", "Mehmet", "Sophie", "Łukasz", "Marie", "Jörg", "Aylin", "Ben"]
LAST = ["Müller", "Schmidt", "Kowalczyk", "Yılmaz", "Weißenborn", "Nguyen", "Becker", "Öztürk"]
NOTES = (
    "Allergic to PPD. Prefers Tuesday mornings. Sensitive scalp, use the mild "
    "shampoo. Usually books balayage with toner; last colour 7.1 + 20 vol. "
    "Bring the dog-friendly room. Pays cash. Do not call before 10:00."
).split()


def make_profiles(n: int, rng: random.Random) -> list[dict[str, str]]:
    out = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        notes = " ".join(rng.choices(NOTES, k=rng.choice([0, 3, 10, 25, 40])))
        out.append(
            {
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}{i}@example.de",
                "phone": f"+49 1{rng.randint(50, 79)} {rng.randint(1000000, 9999999)}",
                "notes": notes,
            }
        )
    return out


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) > 1 else xs[0]


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - t0) / 1e6


def aes_seal(key: bytes, profile: dict[str, str]) -> dict[str, tuple[bytes, bytes, bytes]]:
    out = {}
    for name, value in profile.items():
        nonce = os.urandom(12)
        cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
        cipher.update(name.encode())
        ct, tag = cipher.encrypt_and_digest(value.encode())
        out[name] = (nonce, ct, tag)
    return out


def aes_open(key: bytes, sealed: dict[str, tuple[bytes, bytes, bytes]]) -> dict[str, str]:
    out = {}
    for name, (nonce, ct, tag) in sealed.items():
        cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
        cipher.update(name.encode())
        out[name] = cipher.decrypt_and_verify(ct, tag).decode()
    return out


def row(label: str, xs: list[float], base: list[float] | None = None, unit: str = "ms") -> None:
    ratio = f"{statistics.median(xs) / statistics.median(base):8.1f}x" if base else ""
    print(f"{label:<22} {statistics.median(xs):9.3f} {p95(xs):9.3f} {unit:>3} {ratio}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="200 profiles, 3 unwraps")
    args = ap.parse_args()
    n, unwraps = (200, 3) if args.quick else (2000, 5)

    print(describe(f"sealing benchmark (pycryptodome {Crypto.__version__})"))
    rng = random.Random(1)
    profiles = make_profiles(n, rng)
    fields = sum(len(p) for p in profiles)
    print(f"{n} profiles, {fields} fields, HPKE X25519/HKDF-SHA256/AES-256-GCM, format 1")
    print()

    pair = sealing.generate_keypair()
    keys = [sealing.new_client_key() for _ in profiles]
    aes_key = os.urandom(32)

    # Warm up imports and caches outside the timed region.
    for p, k in zip(profiles[:20], keys, strict=False):
        sealing.open_profile(pair.private_key, 1, k, sealing.seal_profile(pair.public_key, 1, k, p))
        aes_open(aes_key, aes_seal(aes_key, p))

    sealed_all: list[dict[str, str]] = []
    seal_ms, open_ms, aes_seal_ms, aes_open_ms = [], [], [], []
    for p, k in zip(profiles, keys, strict=True):
        t0 = time.perf_counter_ns()
        s = sealing.seal_profile(pair.public_key, 1, k, p)
        seal_ms.append((time.perf_counter_ns() - t0) / 1e6)
        sealed_all.append(s)
        t0 = time.perf_counter_ns()
        opened = sealing.open_profile(pair.private_key, 1, k, s)
        open_ms.append((time.perf_counter_ns() - t0) / 1e6)
        assert opened == p
        t0 = time.perf_counter_ns()
        a = aes_seal(aes_key, p)
        aes_seal_ms.append((time.perf_counter_ns() - t0) / 1e6)
        t0 = time.perf_counter_ns()
        aes_open(aes_key, a)
        aes_open_ms.append((time.perf_counter_ns() - t0) / 1e6)

    per_seal = [t / len(p) for t, p in zip(seal_ms, profiles, strict=True)]
    per_open = [t / len(p) for t, p in zip(open_ms, profiles, strict=True)]

    print(f"{'per profile (4 fields)':<22} {'median':>9} {'p95':>9}     {'x base':>8}")
    print("-" * 62)
    row("seal_profile", seal_ms, aes_seal_ms)
    row("open_profile", open_ms, aes_open_ms)
    row("AES-GCM base, seal", aes_seal_ms)
    row("AES-GCM base, open", aes_open_ms)
    row("per field, seal", per_seal)
    row("per field, open", per_open)
    total_s = sum(seal_ms) / 1000
    print(f"throughput: {n / total_s:,.0f} profiles/s sealed ({fields / total_s:,.0f} fields/s)")
    print()

    plain_bytes = sum(len(v.encode()) for p in profiles for v in p.values())
    blob_bytes = sum(len(sealing.b64d(b)) for s in sealed_all for b in s.values())
    plain_json = sum(len(json.dumps(p, ensure_ascii=False).encode()) for p in profiles)
    sealed_json = sum(len(json.dumps(s).encode()) for s in sealed_all)
    overheads = sorted(
        len(sealing.b64d(s[name])) - len(value.encode())
        for p, s in zip(profiles, sealed_all, strict=True)
        for name, value in p.items()
    )
    print("size overhead")
    print(
        f"  per field, raw blob: {(blob_bytes - plain_bytes) / fields:.1f} bytes on average "
        f"(min {overheads[0]}, max {overheads[-1]}; fixed 49 = version 1 + enc 32 + tag 16, "
        "the rest is padding to 32-byte buckets)"
    )
    print(
        f"  per profile, stored JSON: {sealed_json / n:.0f} bytes sealed vs "
        f"{plain_json / n:.0f} bytes plain ({sealed_json / plain_json:.2f}x)"
    )
    print()

    ctx = sealing.vault_context(1, 1)
    wrapped = sealing.wrap_private_key(pair.private_key, "korrekt Pferd Batterie", context=ctx)
    unwrap_ms = [
        timed(lambda: sealing.unwrap_private_key(wrapped, "korrekt Pferd Batterie", context=ctx))
        for _ in range(unwraps)
    ]
    floor = sealing.wrap_private_key(
        pair.private_key, "x", context=ctx, log_n=sealing.MIN_LOG_N, min_log_n=sealing.MIN_LOG_N
    )
    floor_ms = [
        timed(lambda: sealing.unwrap_private_key(floor, "x", context=ctx)) for _ in range(unwraps)
    ]
    memory = 128 * sealing.SCRYPT_R * (1 << sealing.DEFAULT_LOG_N) >> 20
    print(
        f"vault unwrap, production scrypt N=2^{sealing.DEFAULT_LOG_N} r={sealing.SCRYPT_R} "
        f"p={sealing.SCRYPT_P} ({memory} MiB): median {statistics.median(unwrap_ms):.0f} ms "
        f"over {unwraps} (min {min(unwrap_ms):.0f}, max {max(unwrap_ms):.0f})"
    )
    print(
        f"vault unwrap at the floor N=2^{sealing.MIN_LOG_N}: median "
        f"{statistics.median(floor_ms):.0f} ms (production / floor = "
        f"{statistics.median(unwrap_ms) / statistics.median(floor_ms):.2f}x)"
    )


if __name__ == "__main__":
    main()
