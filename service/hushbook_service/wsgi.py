"""WSGI entry point for gunicorn: ``gunicorn hushbook_service.wsgi:app``."""

from . import create_app

app = create_app()
