"""A shop's Shopify tokens: an expiring offline pair (1 h access token, 90-day
refresh token), sealed at rest and always stored as a pair in one statement.

- On each verified open of the embedded admin (:func:`ensure`): a new or
  reinstalled shop gets its row; a shop without a usable pair exchanges the
  session token for one; a pair whose access token has less than a minute left
  is refreshed first (Shopify's rule), and exchanged anew if that fails.
- ``hushbook-shopify refresh-tokens`` (:func:`refresh_expiring`) renews pairs
  whose refresh token runs out soon, so a shop whose admin nobody opens keeps a
  working pair.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import peewee

from hushbook_shopify.models import Shop, transaction, utcnow
from hushbook_shopify.secretbox import SecretError
from hushbook_shopify.shopify_auth import Exchange, ShopifyAuth, TokenPair, Verdict

log = logging.getLogger("hushbook_shopify.tokens")
MARGIN = timedelta(seconds=60)
INSTALLATION = "query HushbookInstallation { currentAppInstallation { id } }"
SET_METAFIELD = (
    "mutation HushbookDefaults($metafields: [MetafieldsSetInput!]!) {"
    " metafieldsSet(metafields: $metafields) { metafields { key } userErrors { field message } } }"
)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: str  # fresh | refreshed | exchanged | invalid_subject_token | <token endpoint code>
    exchange: Exchange | None = None


def shop_row(domain: str) -> Shop:
    """The shop's row, created on first sight; a reinstalled shop is installed again."""
    with transaction():
        shop = Shop.get_or_none(Shop.shop_domain == domain)
        if shop is None:
            try:
                with transaction():
                    return Shop.create(shop_domain=domain)
            except peewee.IntegrityError:  # created meanwhile by a parallel request
                shop = Shop.get(Shop.shop_domain == domain)
        if shop.uninstalled_at is not None:
            Shop.update(uninstalled_at=None, installed_at=utcnow(), updated_at=utcnow()).where(
                Shop.shop_domain == domain
            ).execute()
            shop = Shop.get(Shop.shop_domain == domain)
        return shop


def store(shop: Shop, keys: tuple[bytes, ...], pair: TokenPair) -> None:
    """Both tokens, their expiries and the scopes in one UPDATE."""
    Shop.update(
        access_token_enc=shop.sealed(keys, "access_token", pair.access_token),
        access_token_expires=pair.access_expires,
        refresh_token_enc=shop.sealed(keys, "refresh_token", pair.refresh_token),
        refresh_token_expires=pair.refresh_expires,
        scopes=pair.scopes or shop.scopes,
        updated_at=utcnow(),
    ).where(Shop.shop_domain == shop.shop_domain).execute()


def _usable_refresh(shop: Shop, keys: tuple[bytes, ...]) -> str | None:
    if shop.refresh_token_enc is None:
        return None
    if shop.refresh_token_expires is not None and shop.refresh_token_expires <= utcnow():
        return None
    try:
        return shop.secret(keys, "refresh_token")
    except SecretError:
        log.warning("shop %s: stored refresh token does not open", shop.shop_domain)
        return None


def ensure(auth: ShopifyAuth, keys: tuple[bytes, ...], verdict: Verdict) -> Outcome:
    """A usable offline pair for the verified shop (see the module doc)."""
    assert verdict.ok and verdict.shop
    shop = shop_row(verdict.shop)
    now = utcnow()
    if (
        shop.access_token_enc is not None
        and shop.access_token_expires is not None
        and shop.access_token_expires - MARGIN > now
    ):
        return Outcome(True, "fresh")
    refresh = _usable_refresh(shop, keys)
    if refresh is not None:
        result = auth.refresh(
            shop.shop_domain,
            refresh,
            shop.refresh_token_expires,
            access_expires=shop.access_token_expires,
        )
        if result.ok and result.pair is not None:
            store(shop, keys, result.pair)
            log.info("shop %s: token pair refreshed", shop.shop_domain)
            return Outcome(True, "refreshed", result)
        log.info("shop %s: refresh failed (%s), exchanging", shop.shop_domain, result.code)
    result = auth.exchange(verdict)
    if result.ok and result.pair is not None:
        store(shop, keys, result.pair)
        log.info("shop %s: offline token pair obtained by token exchange", shop.shop_domain)
        return Outcome(True, "exchanged", result)
    log.warning("shop %s: token exchange failed (%s)", shop.shop_domain, result.code)
    return Outcome(False, result.code, result)


def refresh_expiring(auth: ShopifyAuth, keys: tuple[bytes, ...], within: timedelta) -> dict:
    """Refresh every installed shop's pair whose refresh token ends within ``within``."""
    counts = {"refreshed": 0, "failed": 0}
    limit = utcnow() + within
    query = Shop.select().where(
        Shop.uninstalled_at.is_null(),
        Shop.refresh_token_enc.is_null(False),
        Shop.refresh_token_expires <= limit,
    )
    for shop in query:
        token = _usable_refresh(shop, keys)
        result = (
            auth.refresh(shop.shop_domain, token, shop.refresh_token_expires, force=True)
            if token
            else None
        )
        if result is not None and result.ok and result.pair is not None:
            store(shop, keys, result.pair)
            counts["refreshed"] += 1
        else:
            counts["failed"] += 1
            log.warning(
                "shop %s: refresh failed (%s)",
                shop.shop_domain,
                result.code if result else "no usable refresh token",
            )
    return counts


def wipe(domain: str) -> None:
    """Forget the Shopify tokens (uninstall)."""
    Shop.update(
        access_token_enc=None,
        access_token_expires=None,
        refresh_token_enc=None,
        refresh_token_expires=None,
        uninstalled_at=utcnow(),
        updated_at=utcnow(),
    ).where(Shop.shop_domain == domain).execute()


def publish_defaults(auth: ShopifyAuth, keys: tuple[bytes, ...], shop: Shop) -> bool:
    """Write the shop's look and language defaults to the app's own metafield
    ``hushbook.defaults`` (JSON ``{language, theme, accent}``), which the theme
    app extension reads as ``app.metafields.hushbook.defaults.value`` when a block
    leaves a setting on "default". Nothing else is written to Shopify."""
    try:
        token = shop.secret(keys, "access_token")
    except SecretError:
        token = None
    if not token:
        return False
    ok, data, code = auth.graphql(shop.shop_domain, token, INSTALLATION)
    owner = ((data or {}).get("currentAppInstallation") or {}).get("id")
    if not ok or not owner:
        log.warning("shop %s: app installation not found (%s)", shop.shop_domain, code)
        return False
    value = {"language": shop.language, "theme": shop.theme, "accent": shop.accent}
    ok, data, code = auth.graphql(
        shop.shop_domain,
        token,
        SET_METAFIELD,
        {
            "metafields": [
                {
                    "ownerId": owner,
                    "namespace": "hushbook",
                    "key": "defaults",
                    "type": "json",
                    "value": json.dumps(value),
                }
            ]
        },
    )
    errors = ((data or {}).get("metafieldsSet") or {}).get("userErrors")
    if not ok or errors:
        log.warning("shop %s: defaults not published (%s)", shop.shop_domain, code)
        return False
    return True
