"""WSGI entry point for gunicorn: ``gunicorn hushbook_service.wsgi:app``."""

from hushbook_service.app import create_app

app = create_app()
