"""The ``hushbook-shopify`` command: serve, migrate, keygen, rotate-data-key,
refresh-tokens, prune, shops. Settings come from the environment
(docs/shopify.md, "Settings"); no command prints a token or a key, except
``keygen``, which prints a new data key for the operator to store.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import sys
from datetime import timedelta

import click
from werkzeug.serving import WSGIRequestHandler, run_simple

from hushbook_shopify import secretbox, tokens
from hushbook_shopify.app import create_app
from hushbook_shopify.config import ConfigError, load_settings
from hushbook_shopify.models import (
    Shop,
    WebhookReceipt,
    database,
    open_database,
    transaction,
    utcnow,
)
from hushbook_shopify.models import (
    migrate as migrate_schema,
)
from hushbook_shopify.shopify_auth import ShopifyAuth
from hushbook_shopify.webhooks import KEEP_RECEIPTS


class _PathOnly(WSGIRequestHandler):
    """The dev server's access log without query strings (they carry Shopify's
    session tokens and proxy signatures)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        full = self.path
        self.path = full.split("?", 1)[0]
        try:
            super().log_request(code, size)
        finally:
            self.path = full


def _settings():
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _open(settings) -> None:
    open_database(settings.database_url)
    database.connect(reuse_if_open=True)


@click.group()
def main() -> None:
    """Hushbook for Shopify: the app server."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


@main.command()
def migrate() -> None:
    """Create or update the app's tables."""
    settings = _settings()
    _open(settings)
    click.echo(f"schema version {migrate_schema()}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="More than 1: gunicorn.")
@click.option("--no-migrate", is_flag=True, help="Do not create or update the tables first.")
def serve(host: str, port: int, workers: int, no_migrate: bool) -> None:
    """Serve the app (threaded dev server, or gunicorn with --workers N)."""
    settings = _settings()
    if not no_migrate:
        _open(settings)
        migrate_schema()
        database.close()
    if workers > 1:
        os.execvp(  # noqa: S606
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hushbook_shopify.wsgi:app",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--no-control-socket",
                "--access-logfile",
                "-",
                # the path only: query strings carry session tokens and signatures
                "--access-logformat",
                '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(L)ss',
            ],
        )
    run_simple(host, port, create_app(settings), threaded=True, request_handler=_PathOnly)


@main.command()
def keygen() -> None:
    """Print a new random data key for HUSHBOOK_SHOPIFY_DATA_KEY."""
    click.echo(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())


@main.command("rotate-data-key")
def rotate_data_key() -> None:
    """Re-seal every stored secret with the current data key (after moving the
    previous one to HUSHBOOK_SHOPIFY_OLD_DATA_KEYS)."""
    settings = _settings()
    keys = settings.data_keys
    _open(settings)
    done = 0
    for shop in Shop.select():
        changes = {}
        for field in secretbox.FIELDS:
            stored = getattr(shop, f"{field}_enc")
            if stored is not None and secretbox.needs_reseal(keys, stored):
                value = secretbox.open_(keys, shop.shop_domain, field, stored)
                changes[f"{field}_enc"] = secretbox.seal(keys, shop.shop_domain, field, value)
        if changes:
            with transaction():
                Shop.update(**changes).where(Shop.shop_domain == shop.shop_domain).execute()
            done += 1
    click.echo(f"re-sealed the secrets of {done} shop(s)")


@main.command("refresh-tokens")
@click.option("--within-days", default=14, show_default=True, type=int)
def refresh_tokens(within_days: int) -> None:
    """Refresh the Shopify token pairs whose refresh token ends within N days
    (run daily, e.g. from cron)."""
    settings = _settings()
    _open(settings)
    counts = tokens.refresh_expiring(
        ShopifyAuth(settings), settings.data_keys, timedelta(days=within_days)
    )
    click.echo(f"refreshed {counts['refreshed']}, failed {counts['failed']}")
    if counts["failed"]:
        sys.exit(1)


@main.command()
def prune() -> None:
    """Delete webhook receipts older than 7 days."""
    settings = _settings()
    _open(settings)
    n = (
        WebhookReceipt.delete()
        .where(WebhookReceipt.received_at < utcnow() - KEEP_RECEIPTS)
        .execute()
    )
    click.echo(f"deleted {n} receipt(s)")


@main.command()
def shops() -> None:
    """List the shops: installed, connected (never a token or a key)."""
    settings = _settings()
    _open(settings)
    for shop in Shop.select().order_by(Shop.shop_domain):
        state = "installed" if shop.installed else "uninstalled"
        conn = f"{shop.service_url} {shop.tenant_slug}" if shop.configured else "not connected"
        click.echo(f"{shop.shop_domain}\t{state}\t{conn}")


if __name__ == "__main__":
    main()
