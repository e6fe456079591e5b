"""gunicorn's settings for the service: ``hushbook serve --workers N`` uses them,
and so should gunicorn started directly::

    gunicorn -c python:hushbook_service.gunicorn_conf hushbook_service.wsgi:app …

- the access log is one :func:`hushbook_service.observability.access_line` per
  request: the path only (no query string: it may carry whatever a caller
  typed), every secret path variable replaced by its name
  (``/v1/public/manage/<token>``), the request id, no client address, referrer or
  user agent; text or JSON (``HUSHBOOK_LOG_FORMAT``);
- a request whose body may be left unread (longer than gunicorn drains, or
  chunked) is answered with ``Connection: close``: after a ``413`` the
  connection really ends, and the answer says so;
- with ``PROMETHEUS_MULTIPROC_DIR`` (``hushbook serve`` sets one up; set it
  yourself in gunicorn's environment otherwise) the workers' metrics are added
  up from files there: emptied when gunicorn starts, a dead worker's marked.
"""

from __future__ import annotations

from pathlib import Path

from gunicorn.glogging import Logger
from prometheus_client import multiprocess

from hushbook_service.app import log_path
from hushbook_service.config import metrics_dir
from hushbook_service.observability import access_line

# gunicorn drains at most this much of a body the application did not read
# (gunicorn.http.parser._DRAIN_MAX_BYTES) and closes the connection otherwise.
DRAINED_BYTES = 64 * 1024

accesslog = "-"


class AccessLogger(Logger):
    """gunicorn's logger, writing :func:`~hushbook_service.observability.access_line`."""

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        status = str(resp.status).split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        line = access_line(
            environ,
            log_path(environ),
            status,
            "-" if sent is None else sent,
            request_time.total_seconds(),
        )
        self.access_log.info(line)


logger_class = AccessLogger


def on_starting(server) -> None:
    """The figures of an earlier run are not this one's: start with an empty folder."""
    folder = metrics_dir()
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker) -> None:
    if metrics_dir():
        multiprocess.mark_process_dead(worker.pid)


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
