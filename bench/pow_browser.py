"""Proof-of-work solve time in headless Chromium (the widget's own solver).

Run:  .venv/bin/python bench/pow_browser.py [--runs 15] [--bits 12 14 16 18]

Workload: for each puzzle size, ``--runs`` puzzles with random challenge ids
shaped like the service's (22 URL-safe characters, seed-free). Each puzzle is
solved twice, on the same machine in the same run:

  chromium   the widget's Web Worker (service/hushbook_service/static/widget/
             hushbook-pow-worker.js, WebCrypto SHA-256 in batches) in Debian's
             Chromium, headless, driven by Playwright; the time is the worker's
             own figure (``ms`` of its answer), as the widget reports it in its
             ``hushbook:pow`` event
  python     ``hushbook.public.solve_pow`` (hashlib, one thread): the baseline

Both count nonces from 0 in decimal, so they find the same nonce after the same
number of hashes: the ratio is the pure speed difference. Solve times follow a
geometric distribution (expected 2**bits hashes, often far fewer or more), so
the medians move from run to run; the hash rates are the stable figures.
What a customer waits for in the widget is less: it starts solving while the
customer reads (tests/e2e prints the solves it saw during real bookings).

Figures only, no assertions.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import secrets
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from machine import describe

from hushbook.public import solve_pow

ROOT = Path(__file__).resolve().parents[1]
WORKER = ROOT / "service" / "hushbook_service" / "static" / "widget" / "hushbook-pow-worker.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

SOLVE_ALL = """
async ({ids, bits}) => {
  const worker = new Worker("/hushbook-pow-worker.js");
  const out = [];
  for (const challengeId of ids) {
    const started = performance.now();
    const answer = await new Promise((resolve, reject) => {
      worker.onmessage = (event) => {
        const msg = event.data || {};
        if (msg.nonce !== undefined) resolve(msg);
        else if (msg.error) reject(new Error(msg.error));
      };
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage({challengeId, bits});
    });
    out.push({nonce: answer.nonce, hashes: answer.hashes, ms: answer.ms,
              wall: performance.now() - started});
  }
  worker.terminate();
  return out;
}
"""


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def python_solve(ids: list[str], bits: int) -> list[dict]:
    out = []
    for challenge_id in ids:
        started = time.perf_counter()
        nonce = solve_pow(challenge_id, bits)
        out.append(
            {"nonce": nonce, "hashes": int(nonce) + 1, "ms": 1000 * (time.perf_counter() - started)}
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="puzzles per size (median of these)")
    parser.add_argument("--bits", type=int, nargs="+", default=[12, 14, 16, 18])
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args()
    if not WORKER.is_file():
        raise SystemExit(f"the widget's worker is missing: {WORKER} (plugins/widget/build.py)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise SystemExit("Playwright for Python is needed: pip install -e '.[dev]'") from exc

    print(describe("bench/pow_browser.py"))
    folder = Path(tempfile.mkdtemp(prefix="hushbook-pow-"))
    shutil.copy(WORKER, folder / WORKER.name)
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><title>pow</title><body>pow bench</body></html>'
    )
    server, url = serve(folder)
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=ARGS)
            print(f"Chromium {browser.version}, headless; {args.runs} puzzles per size")
            page = browser.new_page()
            page.goto(f"{url}/index.html")
            page.evaluate(SOLVE_ALL, {"ids": ["warm-up"], "bits": 8})  # worker start-up
            for bits in args.bits:
                ids = [secrets.token_urlsafe(16) for _ in range(args.runs)]
                chromium = page.evaluate(SOLVE_ALL, {"ids": ids, "bits": bits})
                python = python_solve(ids, bits)
                rows.append((bits, ids, chromium, python))
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)

    print()
    print(
        f"{'bits':>4} {'expected':>9} {'median':>8} | {'chromium':>9} {'p90':>7} {'rate':>9} |"
        f" {'python':>8} {'rate':>9} | {'ratio':>6}"
    )
    print(
        f"{'':>4} {'hashes':>9} {'hashes':>8} | {'med. ms':>9} {'ms':>7} {'kH/s':>9} |"
        f" {'med. ms':>8} {'kH/s':>9} | {'c/py':>6}"
    )
    agree = True
    for bits, _ids, chromium, python in rows:
        agree &= all(c["nonce"] == p["nonce"] for c, p in zip(chromium, python, strict=True))
        hashes = [c["hashes"] for c in chromium]
        c_ms = [float(c["ms"]) for c in chromium]
        p_ms = [p["ms"] for p in python]
        c_rate = sum(hashes) / max(sum(c_ms), 1e-9)  # hashes per ms = kH/s
        p_rate = sum(hashes) / max(sum(p_ms), 1e-9)
        p90 = sorted(c_ms)[max(0, int(round(0.9 * len(c_ms))) - 1)]
        print(
            f"{bits:>4} {2**bits:>9,} {statistics.median(hashes):>8,.0f} |"
            f" {statistics.median(c_ms):>9.0f} {p90:>7.0f} {c_rate:>9.0f} |"
            f" {statistics.median(p_ms):>8.1f} {p_rate:>9.0f} |"
            f" {sum(c_ms) / max(sum(p_ms), 1e-9):>6.1f}"
        )
    print()
    print(
        "ratio c/py: Chromium's total solve time / Python's on the same puzzles "
        f"(same nonces found: {'yes' if agree else 'NO'})"
    )
    print(
        "expected time at a size = 2**bits / rate; the default puzzle is 14 bits "
        "(stealth_settings.pow_base_bits), doubling with a visitor's volume"
    )


if __name__ == "__main__":
    main()
