"""WSGI entry point for gunicorn: ``gunicorn hushbook_service.wsgi:app``."""

from hushbook_service import jobs
from hushbook_service.app import create_app

app = create_app()
jobs.install_dispatch(app)  # messages due now are queued when the request is done
