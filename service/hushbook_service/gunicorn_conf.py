"""gunicorn's settings for the service: ``hushbook serve --workers N`` uses them,
and so should gunicorn started directly::

    gunicorn -c python:hushbook_service.gunicorn_conf hushbook_service.wsgi:app …

- the access log shows the path only: no query string (it may carry whatever a
  caller typed), no referrer, no user agent, and every secret path variable
  replaced by its name (``/v1/public/manage/<token>``);
- a request whose body may be left unread (longer than gunicorn drains, or
  chunked) is answered with ``Connection: close``: after a ``413`` the
  connection really ends, and the answer says so.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from hushbook_service.app import log_path

ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
# gunicorn drains at most this much of a body the application did not read
# (gunicorn.http.parser._DRAIN_MAX_BYTES) and closes the connection otherwise.
DRAINED_BYTES = 64 * 1024

access_log_format = ACCESS_LOG_FORMAT
accesslog = "-"


class AccessLogger(Logger):
    """gunicorn's logger, with the path as :func:`hushbook_service.app.log_path` shows it."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = log_path(environ)
        return atoms


logger_class = AccessLogger


def pre_request(worker, req) -> None:
    """Close after answering a request whose body might be left unread."""
    length = chunked = None
    for name, value in req.headers:
        if name == "CONTENT-LENGTH":
            length = value
        elif name == "TRANSFER-ENCODING":
            chunked = "chunked" in value.lower()
    if chunked or (length is not None and (not length.isdigit() or int(length) > DRAINED_BYTES)):
        req.must_close = True
