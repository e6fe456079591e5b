"""Hushbook's headless booking service.

``create_app()`` (in :mod:`hushbook_service.app`) builds the Flask app. The
package is layered; ``docs/architecture.md`` has the module map and the
import rules that ``make lint`` enforces (entry points -> ``resources`` ->
domain packages -> base modules).
"""

from hushbook_service.app import create_app

__all__ = ["create_app"]
