"""``hushbook_shopify.wsgi:app`` for gunicorn (settings from the environment)."""

from hushbook_shopify.app import create_app

app = create_app()
