"""Hushbook for Shopify: the app server (embedded admin, app proxy, webhooks).

A Flask app of its own, run by the Hushbook operator for many shops; it talks to
each shop's Hushbook service over HTTP only. See docs/shopify.md.
"""

from hushbook_shopify.app import create_app
from hushbook_shopify.config import __version__

__all__ = ["__version__", "create_app"]
